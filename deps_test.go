package plusone_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/plusone-hq/plusone"

// The arrows of docs/ARCHITECTURE.md, as the non-test files import: the
// domain imports nothing of ours; bot only the domain and bot/view, and
// bot/view only the domain; an integration only the domain and
// integrations/internal and integrations/option, never another one;
// nothing but cmd imports cmd.
func TestDependencies(t *testing.T) {
	t.Parallel()
	imports := map[string]map[string]bool{} // package dir -> our packages it imports
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		if imports[dir] == nil {
			imports[dir] = map[string]bool{}
		}
		for _, spec := range f.Imports {
			ip, _ := strconv.Unquote(spec.Path.Value)
			if ip == module {
				imports[dir]["."] = true
			} else if rest, ok := strings.CutPrefix(ip, module+"/"); ok {
				imports[dir][rest] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	allowed := func(dir, dep string) bool {
		switch {
		case dir == ".":
			return false
		case dir == "bot":
			return dep == "." || dep == "bot/view"
		case dir == "bot/view":
			return dep == "."
		case strings.HasPrefix(dir, "integrations/") && !strings.HasPrefix(dir, "integrations/internal/") && dir != "integrations/option":
			vendor := strings.Split(dir, "/")[1]
			return dep == "." || strings.HasPrefix(dep, "integrations/internal/") || dep == "integrations/option" ||
				dep == "integrations/"+vendor || strings.HasPrefix(dep, "integrations/"+vendor+"/")
		case !strings.HasPrefix(dir, "cmd/"):
			return !strings.HasPrefix(dep, "cmd/")
		}
		return true
	}
	if len(imports["bot"]) == 0 || len(imports["server"]) == 0 {
		t.Fatalf("packages not found: %v", imports)
	}
	for dir, deps := range imports {
		for dep := range deps {
			if !allowed(dir, dep) {
				t.Errorf("%s imports %s", dir, dep)
			}
		}
	}
}
