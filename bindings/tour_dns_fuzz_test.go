package bindings

// The tour's DNS server (tour.dns_answer in stdlib/tour.lua) parses
// whatever datagram reaches it: it must never raise, and what it answers
// must be a well-formed reply to the question asked, as Go's own DNS
// message parser reads it.

import (
	"bytes"
	"sync"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
	"golang.org/x/net/dns/dnsmessage"
)

var (
	tourDNSOnce sync.Once
	tourDNSFn   lua.LValue
)

// tourQuery builds a standard query for name and type, with an EDNS0
// record as Go's resolver sends.
func tourQuery(t testing.TB, id uint16, name string, qtype dnsmessage.Type, edns bool) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	if err := b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	if edns {
		if err := b.StartAdditionals(); err != nil {
			t.Fatal(err)
		}
		var rh dnsmessage.ResourceHeader
		if err := rh.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err != nil {
			t.Fatal(err)
		}
		if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
			t.Fatal(err)
		}
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// tourAnswer calls tour.dns_answer on the fuzz runtime: the reply, or nil.
func tourAnswer(t *testing.T, query []byte) []byte {
	rt := fuzzRuntime()
	rt.gil.Lock()
	defer rt.gil.Unlock()
	L := rt.L
	tourDNSOnce.Do(func() {
		tourDNSFn = rt.tourModule(L).RawGetString("dns_answer")
	})
	if tourDNSFn == nil {
		t.Fatal("tour.dns_answer did not load")
	}
	top := L.GetTop()
	defer L.SetTop(top)
	if err := L.CallByParam(lua.P{Fn: tourDNSFn, NRet: 1, Protect: true}, lua.LString(query)); err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	if s, ok := L.Get(-1).(lua.LString); ok {
		return []byte(s)
	}
	return nil
}

func TestTourDNSAnswers(t *testing.T) {
	for _, c := range []struct {
		name  string
		qtype dnsmessage.Type
		rcode dnsmessage.RCode
		ip    []byte
	}{
		{"echo.tour.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, []byte{127, 0, 0, 1}},
		{"ECHO.Tour.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, append(make([]byte, 15), 1)},
		{"upper.tour.", dnsmessage.TypeMX, dnsmessage.RCodeSuccess, nil},
		{"nowhere.tour.", dnsmessage.TypeA, dnsmessage.RCodeNameError, nil},
	} {
		reply := tourAnswer(t, tourQuery(t, 0x1234, c.name, c.qtype, true))
		var p dnsmessage.Parser
		h, err := p.Start(reply)
		if err != nil {
			t.Fatalf("%s: reply does not parse: %v", c.name, err)
		}
		if h.ID != 0x1234 || !h.Response || h.RCode != c.rcode {
			t.Errorf("%s: header %+v, want id 0x1234, a response, rcode %v", c.name, h, c.rcode)
		}
		q, err := p.Question()
		if err != nil || q.Name.String() != c.name || q.Type != c.qtype {
			t.Errorf("%s: question %v, %v", c.name, q, err)
		}
		p.SkipAllQuestions()
		answers, err := p.AllAnswers()
		if err != nil {
			t.Fatalf("%s: answers: %v", c.name, err)
		}
		switch {
		case c.ip == nil && len(answers) != 0:
			t.Errorf("%s: %d answers, want none", c.name, len(answers))
		case c.ip != nil && len(answers) != 1:
			t.Errorf("%s: %d answers, want one", c.name, len(answers))
		case c.ip != nil:
			var got []byte
			switch r := answers[0].Body.(type) {
			case *dnsmessage.AResource:
				got = r.A[:]
			case *dnsmessage.AAAAResource:
				got = r.AAAA[:]
			}
			if !bytes.Equal(got, c.ip) || answers[0].Header.Name.String() != c.name {
				t.Errorf("%s: answer %v, want %v", c.name, answers[0], c.ip)
			}
		}
	}
	// Not queries: answers, several questions, a compressed name, too short.
	notQueries := [][]byte{
		{}, []byte("short"),
		append([]byte{0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0}, tourQuery(t, 1, "echo.tour.", dnsmessage.TypeA, false)[12:]...),
		append([]byte{0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0}, tourQuery(t, 1, "echo.tour.", dnsmessage.TypeA, false)[12:]...),
		{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1},
	}
	for _, q := range notQueries {
		if reply := tourAnswer(t, q); reply != nil {
			t.Errorf("%q: answered %q, want nothing", q, reply)
		}
	}
}

func FuzzTourDNS(f *testing.F) {
	f.Add(tourQuery(f, 7, "echo.tour.", dnsmessage.TypeA, true))
	f.Add(tourQuery(f, 8, "nowhere.tour.", dnsmessage.TypeAAAA, false))
	f.Add(tourQuery(f, 9, "tour.", dnsmessage.TypeTXT, false))
	f.Add([]byte{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63})
	f.Fuzz(func(t *testing.T, query []byte) {
		reply := tourAnswer(t, query)
		if reply == nil {
			return
		}
		// An answer is a well-formed reply to the query's one question.
		var p dnsmessage.Parser
		h, err := p.Start(reply)
		if err != nil {
			t.Fatalf("%q: reply %q does not parse: %v", query, reply, err)
		}
		if !h.Response || h.ID != uint16(query[0])<<8|uint16(query[1]) {
			t.Fatalf("%q: reply header %+v", query, h)
		}
		qs, err := p.AllQuestions()
		if err != nil || len(qs) != 1 {
			t.Fatalf("%q: reply questions %v, %v", query, qs, err)
		}
		if _, err := p.AllAnswers(); err != nil {
			t.Fatalf("%q: reply answers: %v", query, err)
		}
		if len(reply) > 512 {
			t.Fatalf("%q: reply of %d bytes", query, len(reply))
		}
	})
}
