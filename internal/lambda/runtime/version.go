package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// RuntimeVersionARN is the runtime version ARN Lambda reports for a managed
// runtime in GetFunctionConfiguration and the INIT_START log line. tenkai
// runs one version of each runtime; the hash only has to be stable.
func RuntimeVersionARN(region, runtime string) string {
	sum := sha256.Sum256([]byte("tenkai runtime " + runtime))
	return "arn:aws:lambda:" + region + "::runtime:" + hex.EncodeToString(sum[:])
}

// runtimeVersion names a runtime's version as INIT_START does:
// python3.12 → python:3.12.v1, nodejs20.x → nodejs:20.v1,
// provided.al2023 → provided:al2023.v1.
func runtimeVersion(runtime string) string {
	name, ver := runtime, ""
	if i := strings.IndexAny(runtime, ".0123456789"); i > 0 {
		name, ver = runtime[:i], strings.TrimPrefix(runtime[i:], ".")
	}
	ver = strings.TrimSuffix(ver, ".x")
	if ver == "" {
		return name + ":v1"
	}
	return name + ":" + ver + ".v1"
}

// initStartLine is the first line of every new environment's log stream.
func initStartLine(s *Spec) string {
	return "INIT_START Runtime Version: " + runtimeVersion(s.Runtime) + "\tRuntime Version ARN: " + RuntimeVersionARN(s.Region, s.Runtime)
}
