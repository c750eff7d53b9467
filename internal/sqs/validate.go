package sqs

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkContents enforces the characters AWS allows in bodies and string
// attribute values: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD |
// #x10000 to #x10FFFF.
func checkContents(s, where string) error {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			continue
		}
		return errContents("Invalid binary character '#x%X' was found in the %s, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r, where)
	}
	return nil
}

// attrsSize is what attributes count against MaximumMessageSize: names, data
// types and values.
func attrsSize(attrs map[string]attrValue) int {
	n := 0
	for k, a := range attrs {
		n += len(k) + len(a.DataType)
		if a.StringValue != nil {
			n += len(*a.StringValue)
		}
		n += len(a.BinaryValue)
	}
	return n
}

// checkUserAttrs validates MessageAttributes as AWS does.
func checkUserAttrs(attrs map[string]attrValue) error {
	if len(attrs) > 10 {
		return errParam("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for _, name := range sortedKeys(attrs) {
		if err := checkAttrName(name); err != nil {
			return err
		}
		if err := checkAttrValue(name, attrs[name]); err != nil {
			return err
		}
	}
	return nil
}

func checkAttrName(name string) error {
	if name == "" {
		return errParam("The request must contain non-empty message attribute name.")
	}
	if len(name) > 256 {
		return errParam("Message (user) attribute name '%s' is too long. The maximum length is 256 characters.", name)
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return errParam("You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use by AWS.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return errParam("Message (user) attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.", name)
		}
	}
	if name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return errParam("Message (user) attribute name '%s' is invalid. Attribute name can't start or end with a period (.), or have two or more consecutive periods.", name)
	}
	return nil
}

// checkAttrValue checks a data type (String, Number or Binary, with an
// optional ".custom" suffix) against the value given.
func checkAttrValue(name string, a attrValue) error {
	if a.DataType == "" {
		return errParam("The message attribute '%s' must contain non-empty message attribute type.", name)
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	if len(a.DataType) > 256 {
		return errParam("Message (user) attribute '%s' type is too long. The maximum length is 256 characters.", name)
	}
	switch base {
	case "String", "Number":
		if a.BinaryValue != nil {
			return errParam("The message attribute '%s' with type '%s' must use field 'String'.", name, base)
		}
		if a.StringValue == nil || *a.StringValue == "" {
			return errParam("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
		}
		if err := checkContents(*a.StringValue, "message attribute '"+name+"'"); err != nil {
			return err
		}
		if base == "Number" && !isNumber(*a.StringValue) {
			return errParam("Could not cast message attribute '%s' value to number.", name)
		}
	case "Binary":
		if a.StringValue != nil {
			return errParam("The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
		}
		if len(a.BinaryValue) == 0 {
			return errParam("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
		}
	default:
		return errParam("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
	}
	return nil
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil || err.(*strconv.NumError).Err == strconv.ErrRange
}

// checkSysAttrs allows only AWSTraceHeader, a String.
func checkSysAttrs(attrs map[string]attrValue) error {
	for _, name := range sortedKeys(attrs) {
		if name != "AWSTraceHeader" {
			return errParam("Message system attribute name '%s' is invalid.", name)
		}
		a := attrs[name]
		if a.DataType != "String" || a.StringValue == nil || *a.StringValue == "" {
			return errParam("Message system attribute '%s' must use data type 'String' and a non-empty value.", name)
		}
	}
	return nil
}

// checkGroupish validates MessageGroupId and MessageDeduplicationId: 1 to 128
// alphanumeric or punctuation characters.
func checkGroupish(param, v string) error {
	ok := len(v) >= 1 && len(v) <= 128
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		ok = c > ' ' && c < 0x7f
	}
	if !ok {
		return errValue(v, param, param+" can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	return nil
}

// validBatchID: alphanumeric, hyphens and underscores, 1 to 80.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkBatchIDs applies the batch rules common to the three batch operations.
func checkBatchIDs[E interface{ batchID() *string }](entries []E, entry string) error {
	switch {
	case len(entries) == 0:
		return errEmptyBatch(entry)
	case len(entries) > 10:
		return errTooManyEntries(len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		p := e.batchID()
		if p == nil {
			return errMissing(entry + ".Id")
		}
		if !validBatchID(*p) {
			return errBatchEntryID()
		}
		if seen[*p] {
			return errIdsNotDistinct(*p)
		}
		seen[*p] = true
	}
	return nil
}
