package jsonata

import "strconv"

var bindingPower = map[string]int{
	".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80,
	";": 0, ":": 0, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 0,
	"=": 40, "<": 40, ">": 40, "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40,
	"<=": 40, ">=": 40, "~>": 40, "and": 30, "or": 25, "in": 40, "&": 50, "!": 0,
	"~": 0, "?:": 40, "??": 40,
}

// parser is a Pratt parser over the lexer's tokens.
type parser struct {
	lx    lexer
	tok   token
	prev  token
	depth int
}

// maxParseDepth bounds nesting so hostile input cannot exhaust the stack.
const maxParseDepth = 1000

func (p *parser) lbp() int {
	if p.tok.kind != tokOp {
		return 0
	}
	return bindingPower[p.tok.str]
}

// regexAllowed reports whether a '/' after the previous token starts a regex.
func regexAllowed(prev token, first bool) bool {
	if first {
		return true
	}
	if prev.kind != tokOp {
		return false
	}
	switch prev.str {
	case ")", "]", "}", "*", "**", "%":
		return false
	}
	return true
}

// advance moves to the next token; if want is not empty the current token
// must be that operator.
func (p *parser) advance(want string) error {
	if want != "" && !(p.tok.kind == tokOp && p.tok.str == want) {
		if p.tok.kind == tokEnd {
			return &Error{Code: "S0203", Position: p.tok.pos, Value: want, Message: "Expected " + quote(want) + " before end of expression"}
		}
		t := tokenText(p.tok)
		return &Error{Code: "S0202", Position: p.tok.pos, Token: t, Value: want, Message: "Expected " + quote(want) + ", got " + quote(t)}
	}
	p.prev = p.tok
	t, err := p.lx.next(regexAllowed(p.prev, false))
	if err != nil {
		return err
	}
	p.tok = t
	if t.kind == tokOp && (t.str == "!" || t.str == "~") {
		return &Error{Code: "S0204", Position: t.pos, Token: t.str, Message: "Unknown operator: " + t.str}
	}
	return nil
}

func tokenText(t token) string {
	switch t.kind {
	case tokNumber:
		return formatNumber(t.num)
	case tokValue:
		if t.val == nil {
			return "null"
		}
		return strconv.FormatBool(t.val.(bool))
	case tokEnd:
		return "(end)"
	}
	return t.str
}

func (p *parser) isOp(s string) bool { return p.tok.kind == tokOp && p.tok.str == s }

func (p *parser) expression(rbp int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, &Error{Code: "S0201", Position: p.tok.pos, Token: tokenText(p.tok), Message: "Syntax error: expression nested too deeply"}
	}
	t := p.tok
	if err := p.advance(""); err != nil {
		return nil, err
	}
	left, err := p.nud(t)
	if err != nil {
		return nil, err
	}
	for rbp < p.lbp() {
		t = p.tok
		if err := p.advance(""); err != nil {
			return nil, err
		}
		left, err = p.led(t, left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tokEnd:
		return nil, &Error{Code: "S0207", Position: t.pos, Token: "(end)", Message: "Unexpected end of expression"}
	case tokString:
		return &node{kind: kString, pos: t.pos, val: t.str, op: t.str}, nil
	case tokNumber:
		return &node{kind: kNumber, pos: t.pos, num: t.num}, nil
	case tokValue:
		return &node{kind: kValue, pos: t.pos, val: t.val}, nil
	case tokName:
		return &node{kind: kName, pos: t.pos, op: t.str}, nil
	case tokVariable:
		return &node{kind: kVariable, pos: t.pos, op: t.str}, nil
	case tokRegex:
		re, err := compileRegex(t.str, t.flags)
		if err != nil {
			return nil, &Error{Code: "S0302", Position: t.pos, Token: t.str, Message: "Invalid regular expression: " + err.Error()}
		}
		return &node{kind: kRegex, pos: t.pos, op: t.str, re: re}, nil
	}
	switch t.str {
	case "and", "or", "in":
		return &node{kind: kName, pos: t.pos, op: t.str}, nil
	case "?":
		return &node{kind: kPlaceholder, pos: t.pos, op: "?"}, nil
	case "-":
		e, err := p.expression(70)
		if err != nil {
			return nil, err
		}
		return &node{kind: kNegate, pos: t.pos, op: "-", lhs: e}, nil
	case "*":
		return &node{kind: kWildcard, pos: t.pos, op: "*"}, nil
	case "**":
		return &node{kind: kDescendant, pos: t.pos, op: "**"}, nil
	case "%":
		return &node{kind: kParent, pos: t.pos, op: "%"}, nil
	case "[":
		n := &node{kind: kArray, pos: t.pos, op: "["}
		if !p.isOp("]") {
			for {
				item, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				if p.isOp("..") {
					r := &node{kind: kBinary, op: "..", pos: p.tok.pos, lhs: item}
					if err := p.advance(".."); err != nil {
						return nil, err
					}
					if r.rhs, err = p.expression(0); err != nil {
						return nil, err
					}
					item = r
				}
				n.exprs = append(n.exprs, item)
				if !p.isOp(",") {
					break
				}
				if err := p.advance(","); err != nil {
					return nil, err
				}
			}
		}
		if err := p.advance("]"); err != nil {
			return nil, err
		}
		return n, nil
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: kObject, pos: t.pos, op: "{", pairs: pairs}, nil
	case "(":
		n := &node{kind: kBlock, pos: t.pos, op: "("}
		for !p.isOp(")") {
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			n.exprs = append(n.exprs, e)
			if !p.isOp(";") {
				break
			}
			if err := p.advance(";"); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")"); err != nil {
			return nil, err
		}
		return n, nil
	case "|":
		n := &node{kind: kTransform, pos: t.pos, op: "|"}
		var err error
		if n.pattern, err = p.expression(0); err != nil {
			return nil, err
		}
		if err := p.advance("|"); err != nil {
			return nil, err
		}
		if n.update, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(",") {
			if err := p.advance(","); err != nil {
				return nil, err
			}
			if n.del, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		if err := p.advance("|"); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, &Error{Code: "S0211", Position: t.pos, Token: t.str, Message: "The symbol " + quote(t.str) + " cannot be used as a unary operator"}
}

func (p *parser) objectPairs() ([][2]*node, error) {
	var pairs [][2]*node
	if !p.isOp("}") {
		for {
			k, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			if err := p.advance(":"); err != nil {
				return nil, err
			}
			v, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, [2]*node{k, v})
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
	}
	if err := p.advance("}"); err != nil {
		return nil, err
	}
	return pairs, nil
}

func (p *parser) led(t token, left *node) (*node, error) {
	op := t.str
	bp := bindingPower[op]
	switch op {
	case ".":
		rhs, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		return &node{kind: kDot, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "[":
		if p.isOp("]") {
			step := left
			for step != nil && step.kind == kPredicate {
				step = step.lhs
			}
			step.keepArray = true
			return left, p.advance("]")
		}
		rhs, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		if err := p.advance("]"); err != nil {
			return nil, err
		}
		return &node{kind: kPredicate, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: kGroup, pos: t.pos, op: op, lhs: left, pairs: pairs}, nil
	case "(":
		return p.call(t, left)
	case "^":
		if err := p.advance("("); err != nil {
			return nil, err
		}
		n := &node{kind: kOrderBy, pos: t.pos, op: op, lhs: left}
		for {
			var term sortTerm
			if p.isOp("<") {
				if err := p.advance("<"); err != nil {
					return nil, err
				}
			} else if p.isOp(">") {
				term.descending = true
				if err := p.advance(">"); err != nil {
					return nil, err
				}
			}
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			term.expr = e
			n.terms = append(n.terms, term)
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")"); err != nil {
			return nil, err
		}
		return n, nil
	case ":=":
		if left.kind != kVariable {
			return nil, &Error{Code: "S0212", Position: t.pos, Token: ":=", Message: messages["S0212"]}
		}
		rhs, err := p.expression(bp - 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kBind, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "@", "#":
		rhs, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		if rhs.kind != kVariable {
			return nil, &Error{Code: "S0214", Position: rhs.pos, Token: op, Message: "The right side of " + op + " must be a variable name (start with $)"}
		}
		k := kFocus
		if op == "#" {
			k = kIndex
		}
		return &node{kind: k, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "?":
		n := &node{kind: kCondition, pos: t.pos, op: op, cond: left}
		var err error
		if n.then, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(":") {
			if err := p.advance(":"); err != nil {
				return nil, err
			}
			if n.els, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		return n, nil
	case "?:", "??":
		rhs, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		k := kElvis
		if op == "??" {
			k = kCoalesce
		}
		return &node{kind: k, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "~>":
		rhs, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		return &node{kind: kApply, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	case "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in", "..":
		rhs, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		return &node{kind: kBinary, pos: t.pos, op: op, lhs: left, rhs: rhs}, nil
	}
	return nil, &Error{Code: "S0204", Position: t.pos, Token: op, Message: "Unknown operator: " + op}
}

func (p *parser) call(t token, left *node) (*node, error) {
	n := &node{kind: kCall, pos: t.pos, op: "(", lhs: left}
	if !p.isOp(")") {
		for {
			if p.isOp("?") {
				n.kind = kPartial
				n.exprs = append(n.exprs, &node{kind: kPlaceholder, pos: p.tok.pos, op: "?"})
				if err := p.advance("?"); err != nil {
					return nil, err
				}
			} else {
				e, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				n.exprs = append(n.exprs, e)
			}
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
	}
	if !p.isOp(")") {
		if p.tok.kind == tokEnd {
			return nil, &Error{Code: "S0203", Position: p.tok.pos, Value: ")", Message: "Expected \")\" before end of expression"}
		}
		tt := tokenText(p.tok)
		return nil, &Error{Code: "S0202", Position: p.tok.pos, Token: tt, Value: ")", Message: "Expected \")\", got " + quote(tt)}
	}
	isLambda := left.kind == kName && (left.op == "function" || left.op == "λ")
	if !isLambda {
		return n, p.advance(")")
	}
	// a lambda: parameters must be variables, then an optional signature
	lam := &node{kind: kLambda, pos: t.pos, op: "lambda"}
	for i, a := range n.exprs {
		if a.kind != kVariable {
			return nil, &Error{Code: "S0208", Position: a.pos, Token: a.op, Value: i + 1, Message: "Parameter " + strconv.Itoa(i+1) + " of function definition must be a variable name (start with $)"}
		}
		lam.params = append(lam.params, a.op)
	}
	// the lexer is positioned just after ')'
	if raw, ok := p.lx.signature(); ok {
		sig, err := parseSignature(raw, t.pos)
		if err != nil {
			return nil, err
		}
		lam.sig = sig
	}
	if err := p.advance(")"); err != nil {
		return nil, err
	}
	if err := p.advance("{"); err != nil {
		return nil, err
	}
	body, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	lam.body = body
	if err := p.advance("}"); err != nil {
		return nil, err
	}
	return lam, nil
}

// parse turns an expression into a processed AST.
func parse(src string) (*node, error) {
	p := &parser{lx: lexer{src: src}}
	t, err := p.lx.next(true)
	if err != nil {
		return nil, err
	}
	p.tok = t
	root, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEnd {
		tt := tokenText(p.tok)
		return nil, &Error{Code: "S0201", Position: p.tok.pos, Token: tt, Message: "Syntax error: " + tt}
	}
	pp := &postProcessor{}
	res, err := pp.process(root)
	if err != nil {
		return nil, err
	}
	if res.kind == kParent || len(res.seekingParent) > 0 {
		return nil, &Error{Code: "S0217", Position: res.pos, Token: kindName(res.kind), Message: messages["S0217"]}
	}
	return res, nil
}
