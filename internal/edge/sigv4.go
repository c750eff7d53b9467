package edge

import (
	"net/http"
	"strings"
)

// Identity is who a request says it comes from, read from its SigV4 credential
// scope. Signatures are not verified.
type Identity struct {
	AccessKey string
	Account   string
	Region    string // empty when the request names none
	Service   string // signing name, empty when unsigned
}

// AccountForKey maps an access key to its account: a 12-digit key is the
// account id, keys issued by tenkai's STS carry it (AKIA or ASIA, 12 digits,
// 4 of [A-Z0-9]), anything else is def. Every request goes through here, so
// it checks bytes rather than running regular expressions.
func AccountForKey(key, def string) string {
	if len(key) == 12 && allBytes(key, isDigit) {
		return key
	}
	if len(key) == 20 && (key[:4] == "AKIA" || key[:4] == "ASIA") && allBytes(key[4:16], isDigit) &&
		allBytes(key[16:], func(c byte) bool { return isDigit(c) || 'A' <= c && c <= 'Z' }) {
		return key[4:16]
	}
	return def
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// validRegion is [a-z0-9-]{1,32}.
func validRegion(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && allBytes(s, func(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || c == '-' })
}

// KeyForAccount makes a 20-character access key id that maps back to account;
// prefix is AKIA (long-term) or ASIA (temporary) and suffix is 4 characters of [A-Z0-9].
func KeyForAccount(prefix, account, suffix string) string {
	return prefix + account + suffix
}

// parseIdentity reads the credential scope from the Authorization header or
// from a presigned URL's X-Amz-Credential.
func parseIdentity(r *http.Request, defAccount string) (Identity, *Error) {
	id := Identity{Account: defAccount}
	auth := r.Header.Get("Authorization")
	cred := ""
	switch {
	case auth == "":
		cred = r.URL.Query().Get("X-Amz-Credential")
		if cred == "" {
			if k := r.URL.Query().Get("AWSAccessKeyId"); k != "" { // SigV2 presigned
				id.AccessKey = k
				id.Account = AccountForKey(k, defAccount)
			}
			return id, nil
		}
	case strings.HasPrefix(auth, "AWS4-"):
		cred = authParam(auth, "Credential")
		if cred == "" || authParam(auth, "Signature") == "" {
			return id, &Error{Code: "IncompleteSignatureException", Status: http.StatusForbidden,
				Message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=" + truncate(auth, 128)}
		}
	case strings.HasPrefix(auth, "AWS "): // SigV2, still used by old S3 clients
		key, _, ok := strings.Cut(strings.TrimPrefix(auth, "AWS "), ":")
		if !ok || key == "" {
			return id, &Error{Code: "IncompleteSignatureException", Status: http.StatusForbidden, Message: "The authorization header is malformed."}
		}
		id.AccessKey = key
		id.Account = AccountForKey(key, defAccount)
		return id, nil
	default:
		return id, &Error{Code: "IncompleteSignatureException", Status: http.StatusForbidden,
			Message: "Authorization header is not a supported AWS signature: " + truncate(auth, 64)}
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" {
		return id, &Error{Code: "IncompleteSignatureException", Status: http.StatusForbidden,
			Message: "Credential should be scoped to a valid region. Credential=" + truncate(cred, 128)}
	}
	if !validRegion(parts[2]) {
		return id, &Error{Code: "IncompleteSignatureException", Status: http.StatusForbidden,
			Message: "Credential should be scoped to a valid region, not '" + truncate(parts[2], 40) + "'."}
	}
	id.AccessKey = parts[0]
	id.Account = AccountForKey(parts[0], defAccount)
	id.Region = parts[2]
	id.Service = parts[3]
	return id, nil
}

// authParam returns the value of name=value in a SigV4 Authorization header.
func authParam(auth, name string) string {
	_, rest, ok := strings.Cut(auth, " ")
	if !ok {
		return ""
	}
	for rest != "" {
		var p string
		p, rest, _ = strings.Cut(rest, ",")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && k == name {
			return v
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
