package jsonata

import "github.com/dlclark/regexp2"

type kind uint8

const (
	kName kind = iota + 1
	kString
	kNumber
	kValue // true, false, null
	kVariable
	kRegex
	kWildcard
	kDescendant
	kParent
	kPath
	kBinary // arithmetic, comparison, boolean, &, in, ..
	kNegate
	kArray
	kObject
	kBlock
	kBind
	kCondition
	kElvis    // a ?: b
	kCoalesce // a ?? b
	kCall
	kPartial
	kPlaceholder // ? inside a partial application
	kLambda
	kApply // ~>
	kTransform
	kSort
	// parse-only kinds, rewritten by the post-processing pass
	kDot
	kPredicate
	kGroup
	kOrderBy
	kFocus
	kIndex
	kOperator // an operator token used as an operand (and/or/in, ?)
)

// node is one AST node. Fields are used according to kind; the tree is
// immutable after Compile, so one tree may be evaluated concurrently.
type node struct {
	kind kind
	pos  int
	op   string  // operator or name/variable
	num  float64 // number literal
	val  any     // value literal (bool or nil) and string literal

	lhs, rhs *node
	exprs    []*node    // block, array items, call arguments, path steps
	pairs    [][2]*node // object constructor / group-by
	terms    []sortTerm // sort
	stages   []stage    // filters and index bindings on a path step
	preds    []*node    // filters on a non-step expression
	group    *groupSpec // group-by applied to this expression
	params   []string   // lambda parameter names
	sig      *signature // lambda signature
	body     *node      // lambda body
	cond     *node      // condition / then / else
	then     *node
	els      *node
	pattern  *node // transform
	update   *node
	del      *node
	re       *regexp2.Regexp
	procName string // name used in a call, for error messages

	keepArray          bool // [] on the step
	keepSingletonArray bool // path: some step has keepArray
	consarray          bool // array constructor as first/last path step
	tuple              bool // step produces a tuple stream
	thunk              bool // lambda: tail call wrapper
	focus              string
	hasFocus           bool
	index              string
	hasIndex           bool
	ancestor           *slot
	slot               *slot
	seekingParent      []*slot
}

type sortTerm struct {
	descending bool
	expr       *node
}

type stage struct {
	filter *node  // nil for an index stage
	index  string // index variable for an index stage
	pos    int
}

type groupSpec struct {
	pairs [][2]*node
	pos   int
}

// slot is a parent-operator binding resolved at compile time.
type slot struct {
	label string
	level int
	index int
}
