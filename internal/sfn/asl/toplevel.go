package asl

import "strings"

// topLevelRefs lists, in order and once each, the names a JSONata
// expression reads from the context item at its top level (AWS refuses
// them: only $states, variables and names nested in predicates, path steps
// or function bodies may be used). "$" itself is reported as "$".
//
// It scans tokens rather than walking a syntax tree, and errs on the side
// of accepting: a name counts only outside every predicate, group-by, path
// step and function body.
func topLevelRefs(src string) []string {
	type frame struct {
		nested bool
		fnBody bool
	}
	var stack []frame
	nested := func() bool { return len(stack) > 0 && stack[len(stack)-1].nested }
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	operand := true // the next token is in operand position
	prevDot := false
	afterFunction := 0 // 1: saw "function", 2: inside its parameter list, 3: parameters closed
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
			continue
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			operand, prevDot = false, false
			continue
		case c == '/' && operand:
			j := i + 1
			for j < len(src) && src[j] != '/' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			operand = false
			continue
		case c == '$':
			j := i + 1
			if j < len(src) && src[j] == '$' {
				j++
			}
			for j < len(src) && (isIdentPart(src[j]) || src[j] >= 0x80) {
				j++
			}
			if j == i+1 && !nested() && !prevDot {
				add("$")
			}
			i = j
			operand, prevDot = false, false
			continue
		case c == '`' || isIdentStart(c) || c >= 0x80:
			var name string
			if c == '`' {
				end := strings.IndexByte(src[i+1:], '`')
				if end < 0 {
					return out
				}
				name = src[i+1 : i+1+end]
				i += end + 2
			} else {
				j := i
				for j < len(src) && (isIdentPart(src[j]) || src[j] >= 0x80) {
					j++
				}
				name = src[i:j]
				i = j
			}
			if c != '`' {
				switch name {
				case "and", "or", "in":
					operand, prevDot = true, false
					continue
				case "true", "false", "null":
					operand, prevDot = false, false
					continue
				case "function":
					afterFunction = 1
					operand, prevDot = false, false
					continue
				}
			}
			if !prevDot && !nested() {
				add(name)
			}
			operand, prevDot = false, false
			continue
		case c >= '0' && c <= '9':
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.' || src[i] == 'e' || src[i] == 'E') {
				if src[i] == '.' && i+1 < len(src) && src[i+1] == '.' {
					break
				}
				i++
			}
			operand, prevDot = false, false
			continue
		}
		// Punctuation.
		switch c {
		case '(':
			// After "." a parenthesised step runs against each item; after
			// "function" it opens the parameter list.
			f := frame{nested: nested() || prevDot}
			if afterFunction == 1 {
				afterFunction = 2
			}
			stack = append(stack, f)
			operand = true
		case '[', '{':
			// A predicate or group-by follows an operand; a constructor does not.
			f := frame{nested: nested() || !operand}
			if c == '{' && afterFunction == 3 {
				f = frame{nested: true, fnBody: true}
				afterFunction = 0
			}
			stack = append(stack, f)
			operand = true
		case ')', ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if c == ')' && afterFunction == 2 {
				afterFunction = 3
			}
			operand = false
		case '.':
			if i+1 < len(src) && src[i+1] == '.' {
				i += 2
				operand = true
				prevDot = false
				continue
			}
			i++
			prevDot = true
			operand = true
			continue
		default:
			operand = true
		}
		prevDot = false
		i++
	}
	return out
}
