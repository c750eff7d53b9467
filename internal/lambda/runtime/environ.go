package runtime

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
)

// Credentials handed to functions: the key selects the function's account at the edge.
const (
	fnSecretKey    = "tenkaiLambdaSecretAccessKey0000000000000"
	fnSessionToken = "tenkai-lambda-session-token"
)

// environ is the process environment, as Lambda sets it, then the function's variables.
func (m *Manager) environ(spec *Spec, l *launcher, opt, tmp, api, stream string) []string {
	mem := spec.MemoryMB
	if mem <= 0 {
		mem = defaultMemoryMB
	}
	code := spec.CodeDir
	hostPath := os.Getenv("PATH")
	if hostPath == "" {
		hostPath = "/usr/local/bin:/usr/bin:/bin"
	}
	path := []string{}
	if l.interp != "" {
		path = append(path, filepath.Dir(l.interp))
	}
	path = append(path, filepath.Join(opt, "bin"), code, hostPath)
	ld := []string{code, filepath.Join(code, "lib"), filepath.Join(opt, "lib")}
	if v := os.Getenv("LD_LIBRARY_PATH"); v != "" {
		ld = append(ld, v)
	}
	vars := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        spec.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     version(spec),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(mem),
		"AWS_LAMBDA_LOG_GROUP_NAME":       logGroup(spec),
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_RUNTIME_API":          api,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      spec.Region,
		"AWS_DEFAULT_REGION":              spec.Region,
		"AWS_ACCESS_KEY_ID":               edge.KeyForAccount("ASIA", spec.Account, "LMBD"),
		"AWS_SECRET_ACCESS_KEY":           fnSecretKey,
		"AWS_SESSION_TOKEN":               fnSessionToken,
		"LAMBDA_TASK_ROOT":                code,
		"_HANDLER":                        spec.Handler,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            strings.Join(path, ":"),
		"LD_LIBRARY_PATH":                 strings.Join(ld, ":"),
		"TMPDIR":                          tmp,
		// Lambda has no shared AWS config files; keep the host's ~/.aws out of SDKs.
		"AWS_CONFIG_FILE":             filepath.Join(filepath.Dir(tmp), "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(filepath.Dir(tmp), "aws-credentials"),
	}
	if m.cfg.Endpoint != nil {
		if ep := m.cfg.Endpoint(); ep != "" {
			vars["AWS_ENDPOINT_URL"] = ep
		}
	}
	switch l.lang {
	case langProvided:
		vars["LAMBDA_RUNTIME_DIR"] = code
	case langPython:
		vars["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + spec.Runtime
		vars["LAMBDA_RUNTIME_DIR"] = filepath.Dir(m.bootPath(langPython))
		pp := []string{code, filepath.Join(opt, "python", "lib", "python"+l.want, "site-packages")}
		if l.have != l.want {
			pp = append(pp, filepath.Join(opt, "python", "lib", "python"+l.have, "site-packages"))
		}
		pp = append(pp, filepath.Join(opt, "python"))
		vars["PYTHONPATH"] = strings.Join(pp, ":")
		vars["PYTHONUNBUFFERED"] = "1"
		vars["PYTHONDONTWRITEBYTECODE"] = "1" // the code dir is read-only
		if l.sdkDir != "" {
			vars["_TENKAI_PY_SDK"] = l.sdkDir
		}
	case langNode:
		vars["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + spec.Runtime
		vars["LAMBDA_RUNTIME_DIR"] = filepath.Dir(m.bootPath(langNode))
		np := []string{
			filepath.Join(opt, "nodejs", "node"+l.want, "node_modules"),
			filepath.Join(opt, "nodejs", "node_modules"),
		}
		if m.cfg.NodeSDKPath != "" {
			np = append(np, filepath.Join(m.cfg.NodeSDKPath, "node_modules"))
		}
		np = append(np, code)
		vars["NODE_PATH"] = strings.Join(np, ":")
	}
	for k, v := range spec.Env {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
