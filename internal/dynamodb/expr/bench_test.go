package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/expr"
)

func BenchmarkParseEvalCondition(b *testing.B) {
	it := item(b, sample)
	vals := values(b, `{":v":{"S":"active"},":n":{"N":"3"},":p":{"S":"hel"}}`)
	names := map[string]string{"#s": "status"}
	b.ReportAllocs()
	for b.Loop() {
		p, _ := expr.NewParams(names, vals)
		c, err := expr.ParseCondition("attribute_exists(id) AND #s = :v AND (n > :n OR begins_with(s, :p))", p)
		if err != nil {
			b.Fatal(err)
		}
		if !c.Eval(it) {
			b.Fatal("condition false")
		}
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	it := item(b, sample)
	p := expr.MustParams(map[string]string{"#s": "status"}, values(b, `{":v":{"S":"active"},":n":{"N":"3"},":p":{"S":"hel"}}`))
	c, err := expr.ParseCondition("attribute_exists(id) AND #s = :v AND (n > :n OR begins_with(s, :p))", p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Eval(it)
	}
}

func BenchmarkUpdateApply(b *testing.B) {
	it := item(b, updItem)
	p := expr.MustParams(nil, values(b, `{":one":{"N":"1"},":v":{"S":"z"},":t":{"SS":["c"]}}`))
	u, err := expr.ParseUpdate("SET n = n + :one, m.deep.c = :v REMOVE s ADD tags :t", p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.Apply(it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUpdate(b *testing.B) {
	vals := values(b, `{":one":{"N":"1"},":v":{"S":"z"},":t":{"SS":["c"]}}`)
	b.ReportAllocs()
	for b.Loop() {
		p, _ := expr.NewParams(nil, vals)
		if _, err := expr.ParseUpdate("SET n = n + :one, m.deep.c = :v REMOVE s ADD tags :t", p); err != nil {
			b.Fatal(err)
		}
	}
}
