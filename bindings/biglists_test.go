package bindings

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/pcapread"
	"github.com/gonetrepl/gonetrepl/internal/transcript"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// TestBigListsLetOthersRun builds each list that a binding makes from a
// file's input (read_transcript's events, os.list_dir's names,
// cap:streams()'s chunks), as big as it may get or near, holding the
// interpreter lock as the binding does, while a Lua task wakes every
// millisecond and counts its turns: it must get turns while the list is
// built (the builders charge their work, and the runtime hands the lock
// on at a tick past the time slice). Called alone, so that what is
// counted is the build only: read_transcript and pcap.open read their
// file without the lock. Before, the ticker got no turn.
func TestBigListsLetOthersRun(t *testing.T) {
	const n = 50000
	events := make([]transcript.Event, n)
	for i := range events {
		events[i] = transcript.Event{Time: time.Unix(1733366400, int64(i)), Session: 1, Kind: transcript.Send, Data: []byte("event " + strconv.Itoa(i))}
	}
	names := make([]string, listDirLimit)
	for i := range names {
		names[i] = "file" + strconv.Itoa(i)
	}
	st := &pcapread.Stream{Protocol: "udp", Client: "10.0.0.1:5000", Server: "10.0.0.2:53"}
	for i := range n {
		data := []byte("datagram " + strconv.Itoa(i))
		st.Chunks = append(st.Chunks, pcapread.Chunk{Time: time.Unix(1700000000, 0), FromServ: i%5 == 4, Data: data})
		if i%5 == 4 {
			st.ServerBytes += int64(len(data))
		} else {
			st.ClientBytes += int64(len(data))
		}
	}
	capture := &pcapread.Capture{Streams: []*pcapread.Stream{st}}

	for _, c := range []struct {
		name  string
		build func(L *lua.LState) *lua.LTable
		check func(L *lua.LState, list *lua.LTable) string // what is wrong, or ""
	}{
		{"read_transcript", func(L *lua.LState) *lua.LTable { return transcriptList(L, events) },
			func(L *lua.LState, list *lua.LTable) string {
				last := list.RawGetInt(n).(*lua.LTable)
				if list.Len() != n || last.RawGetString("data").String() != "event "+strconv.Itoa(n-1) {
					return "events " + strconv.Itoa(list.Len())
				}
				return ""
			}},
		{"list_dir", func(L *lua.LState) *lua.LTable { return luaStrings(L, names) },
			func(L *lua.LState, list *lua.LTable) string {
				if list.Len() != len(names) || list.RawGetInt(len(names)).String() != names[len(names)-1] {
					return "names " + strconv.Itoa(list.Len())
				}
				return ""
			}},
		{"cap:streams", func(L *lua.LState) *lua.LTable { return pcapStreamList(L, capture) },
			func(L *lua.LState, list *lua.LTable) string {
				s := list.RawGetInt(1).(*lua.LTable)
				chunks := s.RawGetString("chunks").(*lua.LTable)
				var client strings.Builder
				for i, ch := range st.Chunks {
					got := chunks.RawGetInt(i + 1).(*lua.LTable).RawGetString("data").String()
					if got != string(ch.Data) {
						return "chunk " + strconv.Itoa(i+1) + ": " + got
					}
					if !ch.FromServ {
						client.Write(ch.Data)
					}
				}
				if s.RawGetString("client_bytes").String() != client.String() {
					return "client_bytes"
				}
				return ""
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			defer rt.Close()
			fn, err := rt.Load(strings.NewReader(`
				turns = 0
				while not stop do
					time.sleep(0.001)
					turns = turns + 1
				end`), "ticker")
			if err != nil {
				t.Fatal(err)
			}
			ticker := rt.Start("ticker", fn)
			turns := func() int { return int(rt.L.GetGlobal("turns").(lua.LNumber)) }
			for started := false; !started; {
				time.Sleep(time.Millisecond)
				rt.gil.Lock()
				_, started = rt.L.GetGlobal("turns").(lua.LNumber)
				rt.gil.Unlock()
			}
			rt.gil.Lock()
			before := turns()
			list := c.build(rt.L)
			during := turns() - before
			wrong := c.check(rt.L, list)
			rt.L.SetGlobal("stop", lua.LTrue)
			rt.gil.Unlock()
			<-ticker.Done()
			if wrong != "" {
				t.Errorf("the list is wrong: %s", wrong)
			}
			if during < 2 {
				t.Errorf("the ticker ran %d times while the list was built, want 2 or more", during)
			}
			t.Logf("the ticker ran %d times while the list was built", during)
		})
	}
}
