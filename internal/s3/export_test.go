package s3

// S3Wildcard exposes wildcardMatch to the external tests.
var S3Wildcard = func(pattern, s string) bool { return wildcardMatch(pattern, s, false) }
