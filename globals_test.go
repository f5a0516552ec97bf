package main

import (
	"runtime/metrics"
	"testing"
)

// TestGCScannedGlobalsStaySmall guards the memory a server holds at rest.
// Since Go 1.18 the collector's heap goal counts the pointer-holding global
// variables it scans, so every MiB of them raises the resident memory of a
// busy process by about as much again. gopacket's layers package once added
// 5 MiB of them (two [65536]EnumMetadata tables; see third_party/gopacket,
// GONETREPL.md, patch 1), which moved a 1000-connection echo server from 25
// to 38 MB. The test binary links everything the gonetrepl binary links.
func TestGCScannedGlobalsStaySmall(t *testing.T) {
	sample := []metrics.Sample{{Name: "/gc/scan/globals:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		t.Fatalf("runtime/metrics has no %s", sample[0].Name)
	}
	const limit = 1 << 20
	if got := sample[0].Value.Uint64(); got > limit {
		t.Fatalf("the collector scans %d bytes of global variables, over %d: a dependency added large pointer-holding tables (look for [65536]-sized arrays of structs with strings or interfaces)", got, limit)
	}
	t.Logf("globals scanned by the collector: %d bytes", sample[0].Value.Uint64())
}
