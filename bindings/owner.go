package bindings

import lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

// A socket (conn, listener, packet conn) belongs to one task at a time, so
// that a task that fails cannot leave its sockets open with nobody to
// close them: a handler that raises an error halfway through a reply
// would otherwise hold its client, and a file descriptor, until the
// process ends.
//
// The rule, as the README and docs/API.md state it: a socket belongs to
// the task that opened it (dial, accept, listen, tls.client ...), or to the
// task that last received it: as an argument of task.spawn, from ch:recv,
// or from t:wait. While in a channel it belongs to no task. When a task
// fails or is canceled, the sockets it still holds are closed. A task that
// returns normally closes nothing: it may have returned its sockets or
// stored them, and they then belong to no task until one receives them. A
// chunk (a script's main chunk, a prompt line) keeps its sockets open
// however it ends: Ctrl-C on a read at the prompt must not take the conn
// away.

// socket is what a task can own.
type socket interface {
	ownership() *owned
	// closeOwned closes the socket without Lua: its owner failed.
	closeOwned(rt *Runtime)
}

// owned is the owner field of a socket; rt.mu guards it.
type owned struct{ owner *Task }

func (o *owned) ownership() *owned { return o }

// socketSet is what a task owns. Most tasks own one socket at most (a
// served connection's handler, its conn): that one takes no map.
type socketSet struct {
	one  socket
	more map[socket]struct{}
}

func (set *socketSet) add(s socket) {
	switch {
	case set.one == nil:
		set.one = s
	case set.one != s:
		if set.more == nil {
			set.more = map[socket]struct{}{}
		}
		set.more[s] = struct{}{}
	}
}

func (set *socketSet) remove(s socket) {
	if set.one == s {
		set.one = nil
		return
	}
	delete(set.more, s)
}

// all lists the sockets of the set.
func (set *socketSet) all() []socket {
	var list []socket
	if set.one != nil {
		list = append(list, set.one)
	}
	for s := range set.more {
		list = append(list, s)
	}
	return list
}

// adopt makes t (nil: no task) the owner of s. A task that has ended owns
// nothing.
func (rt *Runtime) adopt(t *Task, s socket) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if t != nil && t.released {
		t = nil
	}
	o := s.ownership()
	if o.owner == t {
		return
	}
	if o.owner != nil {
		o.owner.sockets.remove(s)
	}
	o.owner = t
	if t != nil {
		t.sockets.add(s)
	}
}

// disown forgets s's owner: s was closed, or handed over.
func (rt *Runtime) disown(s socket) { rt.adopt(nil, s) }

// adoptValue gives v to the task running L if v is a socket.
func (rt *Runtime) adoptValue(t *Task, v lua.LValue) {
	if ud, ok := v.(*lua.LUserData); ok {
		if s, ok := ud.Value.(socket); ok {
			rt.adopt(t, s)
		}
	}
}

// giveAway disowns v if it is a socket, for a hand-over that may fail;
// undo gives it back to the task that held it.
func (rt *Runtime) giveAway(v lua.LValue) (undo func()) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return func() {}
	}
	s, ok := ud.Value.(socket)
	if !ok {
		return func() {}
	}
	rt.mu.Lock()
	prev := s.ownership().owner
	rt.mu.Unlock()
	rt.disown(s)
	return func() { rt.adopt(prev, s) }
}

// release ends t's ownership of what it holds, closing it all if t failed
// or was canceled. It runs once, as t ends, without the gil.
func (rt *Runtime) release(t *Task, closeAll bool) {
	rt.mu.Lock()
	sockets := t.sockets.all()
	t.sockets, t.released = socketSet{}, true
	for _, s := range sockets {
		s.ownership().owner = nil
	}
	rt.mu.Unlock()
	if closeAll {
		for _, s := range sockets {
			s.closeOwned(rt)
		}
	}
}

func (c *Conn) closeOwned(rt *Runtime) {
	if !c.closed.Load() {
		c.tr.recClosed(c)
	}
	c.closed.Store(true)
	if c.closer != nil {
		rt.untrack(c.closer)
		c.closer.Close()
		return
	}
	c.nc.Close()
}

func (l *Listener) closeOwned(rt *Runtime) {
	l.closed.Store(true)
	rt.untrack(l.ln)
	l.ln.Close()
}

func (p *PacketConn) closeOwned(rt *Runtime) {
	if !p.closed.Load() {
		p.tr.recClosed(p)
	}
	p.closed.Store(true)
	rt.untrack(p.closer)
	p.closer.Close()
}

// adoptNew gives a new socket to the task running L, if any.
func (rt *Runtime) adoptNew(L *lua.LState, s socket) {
	if L == nil {
		return
	}
	if t := taskOf(L); t != nil {
		rt.adopt(t, s)
	}
}
