// Package nginxtest runs a real nginx (Debian's nginx-light) for tests: one
// unprivileged process on a free loopback port, serving the static files of
// a directory the test gives, with its configuration, pid file, logs and
// temporary paths all in a temporary directory of the test (`daemon off;
// master_process off;`: nothing outlives the test, nothing is written
// under /var or /etc). It is the reference the bundled HTTP scripts are
// compared with: what nginx answers to a request, and what a client reads
// from it.
//
// When nginx is missing, Start skips the test, or fails it when the
// environment variable CI is "true" (see package peer; ./test.sh installs
// nginx-light).
package nginxtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// config is nginx.conf for one test: %[1]s is the temporary directory,
// %[2]d the port, %[3]s the document root.
const config = `daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 256; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/client_body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:%[2]d;
    root %[3]s;
  }
}
`

// Start runs nginx serving the files under root for the rest of the test
// and returns its address, "127.0.0.1:port", once it accepts connections.
// It is killed at cleanup.
func Start(t testing.TB, root string) string {
	t.Helper()
	nginx := peer.Find(t, "nginx", "nginx-light")
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return peer.Start(t, nginx, func(port int) []string {
		conf := filepath.Join(dir, "nginx-"+strconv.Itoa(port)+".conf")
		if err := os.WriteFile(conf, fmt.Appendf(nil, config, dir, port, root), 0o600); err != nil {
			t.Fatal(err)
		}
		// -e: the error log of start-up, before the configuration is read
		// (else /var/log/nginx/error.log); -p: the prefix for relative paths.
		return []string{"-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", conf}
	}, peer.AcceptsTCP)
}
