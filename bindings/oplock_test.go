package bindings

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// TestOpLockExcludes: under contention, holders never overlap (the race
// detector watches the unguarded counter), every waiter gets through, and a
// waiter whose context ends or whose deadline passes gives up.
func TestOpLockExcludes(t *testing.T) {
	var l opLock
	counter := 0
	var wg sync.WaitGroup
	const workers, rounds = 8, 2000
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if err := l.LockContext(context.Background(), time.Time{}); err != nil {
					t.Error(err)
					return
				}
				counter++
				l.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != workers*rounds {
		t.Fatalf("counter %d, want %d", counter, workers*rounds)
	}
	if !l.TryLock() {
		t.Fatal("the lock is held after every holder let go")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if err := l.LockContext(ctx, time.Time{}); err != context.Canceled {
		t.Fatalf("canceled waiter: %v", err)
	}
	if err := l.LockContext(context.Background(), time.Now().Add(20*time.Millisecond)); err != os.ErrDeadlineExceeded {
		t.Fatalf("waiter past its deadline: %v", err)
	}
	done := make(chan error)
	go func() { done <- l.LockContext(context.Background(), time.Time{}) }()
	time.Sleep(10 * time.Millisecond)
	l.Unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiter was not woken by Unlock")
	}
}
