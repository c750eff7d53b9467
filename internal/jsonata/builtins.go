package jsonata

// builtinDefs lists the function library with the reference signatures.
var builtinDefs = []struct {
	name string
	sig  string
	fn   func(c callCtx, args []any) (any, error)
}{
	{"sum", "<a<n>:n>", fnSum},
	{"count", "<a:n>", fnCount},
	{"max", "<a<n>:n>", fnMax},
	{"min", "<a<n>:n>", fnMin},
	{"average", "<a<n>:n>", fnAverage},
	{"string", "<x-b?:s>", fnString},
	{"substring", "<s-nn?:s>", fnSubstring},
	{"substringBefore", "<s-s:s>", fnSubstringBefore},
	{"substringAfter", "<s-s:s>", fnSubstringAfter},
	{"lowercase", "<s-:s>", fnLowercase},
	{"uppercase", "<s-:s>", fnUppercase},
	{"length", "<s-:n>", fnLength},
	{"trim", "<s-:s>", fnTrim},
	{"pad", "<s-ns?:s>", fnPad},
	{"match", "<s-f<s:o>n?:a<o>>", fnMatch},
	{"contains", "<s-(sf):b>", fnContains},
	{"replace", "<s-(sf)(sf)n?:s>", fnReplace},
	{"split", "<s-(sf)n?:a<s>>", fnSplit},
	{"join", "<a<s>s?:s>", fnJoin},
	{"formatNumber", "<n-so?:s>", fnFormatNumber},
	{"formatBase", "<n-n?:s>", fnFormatBase},
	{"formatInteger", "<n-s:s>", fnFormatInteger},
	{"parseInteger", "<s-s:n>", fnParseInteger},
	{"number", "<(nsb)-:n>", fnNumber},
	{"floor", "<n-:n>", fnFloor},
	{"ceil", "<n-:n>", fnCeil},
	{"round", "<n-n?:n>", fnRound},
	{"abs", "<n-:n>", fnAbs},
	{"sqrt", "<n-:n>", fnSqrt},
	{"power", "<n-n:n>", fnPower},
	{"random", "<:n>", fnRandom},
	{"boolean", "<x-:b>", fnBoolean},
	{"not", "<x-:b>", fnNot},
	{"map", "<af>", fnMap},
	{"zip", "<a+>", fnZip},
	{"filter", "<af>", fnFilter},
	{"single", "<af?>", fnSingle},
	{"reduce", "<afj?:j>", fnReduce},
	{"sift", "<o-f?:o>", fnSift},
	{"keys", "<x-:a<s>>", fnKeys},
	{"lookup", "<x-s:x>", fnLookup},
	{"append", "<xx:a>", fnAppend},
	{"exists", "<x:b>", fnExists},
	{"spread", "<x-:a<o>>", fnSpread},
	{"merge", "<a<o>:o>", fnMerge},
	{"reverse", "<a:a>", fnReverse},
	{"each", "<o-f:a>", fnEach},
	{"error", "<s?:x>", fnError},
	{"assert", "<bs?:x>", fnAssert},
	{"type", "<x:s>", fnType},
	{"sort", "<af?:a>", fnSort},
	{"shuffle", "<a:a>", fnShuffle},
	{"distinct", "<x:x>", fnDistinct},
	{"base64encode", "<s-:s>", fnBase64Encode},
	{"base64decode", "<s-:s>", fnBase64Decode},
	{"encodeUrlComponent", "<s-:s>", fnEncodeURLComponent},
	{"encodeUrl", "<s-:s>", fnEncodeURL},
	{"decodeUrlComponent", "<s-:s>", fnDecodeURLComponent},
	{"decodeUrl", "<s-:s>", fnDecodeURL},
	{"eval", "<sx?:x>", fnEval},
	{"toMillis", "<s-s?:n>", fnToMillis},
	{"fromMillis", "<n-s?s?:s>", fnFromMillis},
	{"clone", "<(oa)-:o>", fnClone},
	{"now", "<s?s?:s>", fnNow},
	{"millis", "<:n>", fnMillis},
}

// builtins maps names to the function library; it is built once and
// never modified.
var builtins map[string]any

func init() { builtins = makeBuiltins() }

func makeBuiltins() map[string]any {
	m := make(map[string]any, len(builtinDefs))
	for _, d := range builtinDefs {
		sig, err := parseSignature(d.sig, 0)
		if err != nil {
			panic("jsonata: bad builtin signature " + d.sig)
		}
		n := 0
		for _, p := range sig.params {
			if !p.opt || p.context {
				n++
			}
		}
		m[d.name] = &builtinFn{name: d.name, sig: sig, fn: d.fn, nargs: n}
	}
	return m
}
