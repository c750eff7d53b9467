package logs

import (
	"strings"
)

// groupNamePattern is the model's LogGroupName pattern, quoted in AWS's messages.
const groupNamePattern = `[\.\-_/#A-Za-z0-9]+`

func validGroupChar(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c == '/' || c == '#' ||
		c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// checkGroupName validates a log group name as the model does.
func checkGroupName(member, name string) error {
	if name == "" {
		return errInvalid("1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	}
	if len(name) > 512 {
		return errInvalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 512", name, member)
	}
	for i := 0; i < len(name); i++ {
		if !validGroupChar(name[i]) {
			return errInvalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", name, member, groupNamePattern)
		}
	}
	return nil
}

// checkStreamName validates a log stream name: 1 to 512 characters, no ':' or '*'.
func checkStreamName(member, name string) error {
	if name == "" {
		return errInvalid("1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	}
	if len(name) > 512 {
		return errInvalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 512", name, member)
	}
	if strings.ContainsAny(name, ":*") {
		return errInvalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name, member)
	}
	return nil
}

// groupARN is the ARN DescribeLogGroups reports as arn (with the trailing :*).
func groupARN(account, region, group string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group + ":*"
}

// groupARNBare is the ARN without :*, the logGroupArn member and the form
// TagResource takes.
func groupARNBare(account, region, group string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group
}

func streamARN(account, region, group, stream string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group + ":log-stream:" + stream
}

// parseGroupARN reads account, region and group from a log group ARN, with or
// without the trailing :*.
func parseGroupARN(arn string) (account, region, group string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:")
	if !found {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, ":", 6)
	// partition, service, region, account, "log-group", name[:*]
	if len(parts) != 6 || parts[1] != "logs" || parts[4] != "log-group" {
		return "", "", "", false
	}
	name := strings.TrimSuffix(parts[5], ":*")
	if name == "" || strings.Contains(name, ":") {
		return "", "", "", false
	}
	return parts[3], parts[2], name, true
}

// resolveGroup picks the group of a request that names it by logGroupName or
// logGroupIdentifier (a name or an ARN). It returns the account and region
// the group lives in.
func resolveGroup(account, region, name, ident string) (string, string, string, error) {
	switch {
	case name != "" && ident != "":
		return "", "", "", errInvalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != "":
		return account, region, name, checkGroupName("logGroupName", name)
	case ident != "":
		if strings.HasPrefix(ident, "arn:") {
			a, r, g, ok := parseGroupARN(ident)
			if !ok {
				return "", "", "", errInvalid("1 validation error detected: Value '%s' at 'logGroupIdentifier' failed to satisfy constraint: Member must be a valid log group ARN", ident)
			}
			return a, r, g, nil
		}
		return account, region, ident, checkGroupName("logGroupIdentifier", ident)
	}
	return "", "", "", errInvalid("Should provide either a log group name or a log group identifier.")
}
