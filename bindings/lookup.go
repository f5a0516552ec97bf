package bindings

// The DNS lookups of the net module. (Issue 4: to be filled in.)

var lookupFuncs = []binding{}
