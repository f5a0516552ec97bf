// Command gonetrepl is a scriptable network REPL: Lua with Go's net package.
//
//	gonetrepl scripts/echo.lua 127.0.0.1:9000
//	gonetrepl -e 'c = assert(net.dial("tcp", "127.0.0.1:9000")) c:write("hi\n") print(c:read_line())'
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
