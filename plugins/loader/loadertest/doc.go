// Package loadertest builds provider plugins for the tests of code that
// launches them (the provider session, the apply executor, the CLI).
package loadertest
