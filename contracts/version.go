package contracts

import "github.com/accord-cdc/accord/contracts/build"

// Build identifies the code under test: version (git commit), branch, CI
// job URL, and whether this is a CI run (where results are published).
type Build = build.Info

// DetectBuild reads the build from the CI's variables — GitHub Actions
// (GITHUB_SHA, GITHUB_HEAD_REF/GITHUB_REF_NAME), GitLab (CI_COMMIT_SHA,
// CI_COMMIT_REF_NAME, CI_JOB_URL) or generic (GIT_COMMIT, GIT_BRANCH,
// BUILD_URL) — and falls back to git in the working directory.
// ACCORD_VERSION and ACCORD_BRANCH override both.
func DetectBuild() (Build, error) { return build.Detect() }
