// Package build tells which build of a service is running: the version
// (git commit), branch and CI job URL that pacts, verification results and
// deployments are recorded under. It has no dependencies beyond git, so
// pipeline tools use it without linking the pact library.
package build

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Info identifies the code under test the way the broker wants it: the
// version is the git commit, the branch the git branch, the URL the CI job.
type Info struct {
	Version string
	Branch  string
	URL     string
	// CI is true on a CI runner, where verification results are published.
	CI bool
}

// Detect reads the build from the CI's variables — GitHub Actions
// (GITHUB_SHA, GITHUB_HEAD_REF/GITHUB_REF_NAME), GitLab (CI_COMMIT_SHA,
// CI_COMMIT_REF_NAME, CI_JOB_URL) or generic (GIT_COMMIT, GIT_BRANCH,
// BUILD_URL) — and falls back to git in the working directory.
// ACCORD_VERSION and ACCORD_BRANCH override both.
func Detect() (Info, error) {
	b := Info{
		Version: firstEnv("ACCORD_VERSION", "GIT_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA"),
		Branch:  firstEnv("ACCORD_BRANCH", "GIT_BRANCH", "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"),
		URL:     firstEnv("BUILD_URL", "CI_JOB_URL"),
		CI:      os.Getenv("CI") == "true" || os.Getenv("CI") == "1",
	}
	if b.URL == "" && os.Getenv("GITHUB_RUN_ID") != "" {
		b.URL = os.Getenv("GITHUB_SERVER_URL") + "/" + os.Getenv("GITHUB_REPOSITORY") + "/actions/runs/" + os.Getenv("GITHUB_RUN_ID")
	}
	b.Branch = strings.TrimPrefix(b.Branch, "origin/")
	if b.Version == "" {
		v, err := git("rev-parse", "--short=12", "HEAD")
		if err != nil {
			return b, errors.New("no version: set GIT_COMMIT (or ACCORD_VERSION), or run inside a git checkout with a commit")
		}
		if dirty, _ := git("status", "--porcelain", "--untracked-files=no"); dirty != "" {
			v += "+dirty"
		}
		b.Version = v
	}
	if b.Branch == "" {
		if br, err := git("rev-parse", "--abbrev-ref", "HEAD"); err == nil && br != "HEAD" {
			b.Branch = br
		}
	}
	return b, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

func git(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	return strings.TrimSpace(string(out)), err
}
