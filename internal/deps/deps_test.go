package deps

import (
	"go/build"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/grainql/grain"

// allowed maps a package (relative to the module, "*" suffix for a subtree)
// to the project packages it may import. Tests may import anything.
var allowed = map[string][]string{
	"expr":           {},
	"io/*":           {"expr", "io/source", "io/internal/*"},
	"exec/mempool":   {},
	"exec/hashtable": {"exec/layout"},
	"exec/layout":    {},
	"exec":           {"expr", "io/*", "exec/mempool"},
	"exec/*":         {"expr", "io/*", "exec", "exec/mempool", "exec/hashtable", "exec/eval", "exec/spill", "exec/order", "exec/layout"},
	"plan":           {"expr", "io/*"},
	"plan/optimize":  {"plan", "expr", "io/*"},
	"plan/physical":  {"plan", "plan/optimize", "exec", "exec/*", "expr", "io/*"},
	"frame":          {"plan", "plan/*", "exec", "exec/*", "expr", "io/*"},
	"internal/deps":  {},
	"internal/*":     {"expr", "io/*", "plan", "plan/*", "exec", "exec/*", "internal/reference"},
	"examples/*":     {"frame", "expr", "io/*", "internal/datagen"},
	"bench":          {"frame", "expr", "io/*", "exec", "exec/*", "internal/*"},
}

func rule(pkg string) ([]string, bool) {
	if r, ok := allowed[pkg]; ok {
		return r, true
	}
	for p := pkg; p != "."; p = filepath.Dir(p) {
		if r, ok := allowed[filepath.Dir(p)+"/*"]; ok && filepath.Dir(p) != "." {
			return r, true
		}
	}
	return nil, false
}

func permits(rules []string, imp string) bool {
	for _, r := range rules {
		if r == imp || (strings.HasSuffix(r, "/*") && strings.HasPrefix(imp, strings.TrimSuffix(r, "*"))) {
			return true
		}
	}
	return false
}

func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", module+"/...").Output()
	require.NoError(t, err)
	for _, full := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(full, module), "/")
		if rel == "" {
			continue
		}
		rules, ok := rule(rel)
		require.True(t, ok, "package %s has no entry in allowed; add one", rel)
		pkg, err := build.Import(full, "", 0)
		require.NoError(t, err)
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			require.True(t, permits(rules, dep), "%s must not import %s", rel, dep)
		}
	}
}
