package expr

import "tenkai/internal/dynamodb/attr"

// Projection is a parsed ProjectionExpression (or converted
// AttributesToGet). It is immutable and safe for concurrent use.
type Projection struct {
	paths []Path
}

// ParseProjection parses a ProjectionExpression: document paths separated
// by commas. Overlapping paths (a and a.b) are rejected as in DynamoDB.
func ParseProjection(s string, params *Params) (*Projection, error) {
	if err := checkText(KindProjection, s); err != nil {
		return nil, err
	}
	p := newParser(KindProjection, s, params)
	for p.ok() {
		t := p.peek()
		if t.kind != tIdent && t.kind != tName {
			p.fail(p.i)
			break
		}
		path := p.parsePath()
		if !p.ok() {
			break
		}
		p.addTarget(path)
		if p.peek().kind != tComma {
			p.expectEOF()
			break
		}
		p.next()
	}
	if err := p.result(projectionOrder); err != nil {
		return nil, err
	}
	return &Projection{paths: p.paths}, nil
}

// NewProjection builds a projection of whole top-level attributes, as
// AttributesToGet asks. Duplicates are DynamoDB's error
// "One or more parameter values were invalid: Duplicate value in attribute
// name: a".
func NewProjection(names []string) (*Projection, error) {
	seen := make(map[string]bool, len(names))
	paths := make([]Path, 0, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, validationf("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		paths = append(paths, Path{{Name: n}})
	}
	return &Projection{paths: paths}, nil
}

// Paths returns the projected document paths in expression order.
func (p *Projection) Paths() []Path { return p.paths }

// Apply returns the parts of it the projection selects (a new item). A nil
// Projection selects everything.
func (p *Projection) Apply(it attr.Item) attr.Item {
	if p == nil {
		return it
	}
	return ProjectPaths(it, p.paths)
}
