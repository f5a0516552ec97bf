package bindings

// respDocs documents stdlib/resp.lua: one Module for the module and one per
// class it returns, as flagsDocs does for flags.
func respDocs() []Module {
	return nil
}
