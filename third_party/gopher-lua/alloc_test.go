package lua

import "testing"

// TestThreadMakesNoFloatBlockUntilItNeedsOne (gonetrepl patch 17): a new
// thread has no block of floats, and makes one the first time it boxes a
// number that is not a small integer; its arithmetic is unchanged.
func TestThreadMakesNoFloatBlockUntilItNeedsOne(t *testing.T) {
	L := NewState()
	defer L.Close()
	th, _ := L.NewThread()
	if th.alloc.fptrs != nil {
		t.Fatalf("a new thread holds a block of %d floats", cap(th.alloc.fptrs))
	}
	fn, err := L.LoadString("local s = 0 for i = 1, 1000 do s = s + i * 0.5 end return s")
	if err != nil {
		t.Fatal(err)
	}
	th.Push(fn)
	th.Call(0, 1)
	if got := th.Get(-1); got != LNumber(250250) {
		t.Fatalf("sum = %v, want 250250", got)
	}
	if th.alloc.fptrs == nil {
		t.Fatal("the thread boxed floats without a block")
	}
}
