// dockerfile-lint: BuildKit's own Dockerfile parser and lint rules (those of `docker build --check`), offline,
// plus the files of a build context that survive its .dockerignore. Built by tests/deploy/deploy_checks.py into
// ${CII_CACHE_DIR:-~/.cache/cii-platform}/bin (a throwaway module requiring github.com/moby/buildkit).
//
//	dockerfile-lint [-build-arg K=V]... [-context DIR] Dockerfile
//
// Prints one JSON object: {"warnings": [{"rule", "detail", "line"}], "error": "...", "context_files": [...]}.
// Base images are not resolved (no registry is reachable): their configuration is taken as empty.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
)

type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, digest.FromString(ref), []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

type buildArgs map[string]string

func (b buildArgs) String() string { return fmt.Sprint(map[string]string(b)) }
func (b buildArgs) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("build arg %q is not K=V", v)
	}
	b[k] = val
	return nil
}

type warning struct {
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
	Line   int32  `json:"line"`
}

type result struct {
	Warnings     []warning `json:"warnings"`
	Error        string    `json:"error,omitempty"`
	ContextFiles []string  `json:"context_files,omitempty"`
}

func contextFiles(dir string) ([]string, error) {
	var patterns []string
	if f, err := os.Open(filepath.Join(dir, ".dockerignore")); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "." {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		excluded, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		if excluded {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

func main() {
	args := buildArgs{}
	flag.Var(args, "build-arg", "K=V (repeatable)")
	contextDir := flag.String("context", "", "list the files of this build context that .dockerignore keeps")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-lint [-build-arg K=V]... [-context DIR] Dockerfile")
		os.Exit(2)
	}
	dt, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	st := llb.Scratch()
	def, err := st.Marshal(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	src := llb.NewSourceMap(&st, "Dockerfile", "Dockerfile", dt)
	src.Definition = def
	out := result{Warnings: []warning{}}
	lint, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: args},
		SourceMap:    src,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		out.Error = err.Error()
	} else {
		for _, w := range lint.Warnings {
			var line int32
			if len(w.Location.Ranges) > 0 {
				line = w.Location.Ranges[0].Start.Line
			}
			out.Warnings = append(out.Warnings, warning{Rule: w.RuleName, Detail: w.Detail, Line: line})
		}
		if lint.Error != nil {
			out.Error = lint.Error.Message
		}
	}
	if *contextDir != "" {
		files, err := contextFiles(*contextDir)
		if err != nil {
			out.Error = strings.TrimSpace(out.Error + " context: " + err.Error())
		}
		out.ContextFiles = files
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
