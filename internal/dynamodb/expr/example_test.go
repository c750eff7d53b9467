package expr_test

import (
	"fmt"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

func Example() {
	// One request: UpdateItem with a condition.
	p, err := expr.NewParams(
		map[string]string{"#c": "count"},
		map[string]attr.Value{":one": attr.MustN("1"), ":max": attr.MustN("10")},
	)
	if err != nil {
		panic(err)
	}
	upd, err := expr.ParseUpdate("SET #c = if_not_exists(#c, :one) + :one", p)
	if err != nil {
		panic(err)
	}
	cond, err := expr.ParseCondition("attribute_not_exists(#c) OR #c < :max", p)
	if err != nil {
		panic(err)
	}
	if err := p.CheckUnused(); err != nil {
		panic(err)
	}

	old := attr.Item{"id": attr.S("a"), "count": attr.MustN("4")}
	if !cond.Eval(old) {
		fmt.Println("ConditionalCheckFailedException")
		return
	}
	res, err := upd.Apply(old)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Item["count"].Num())
	fmt.Println(string(attr.AppendItemJSON(nil, expr.ProjectPaths(res.Item, res.Changed))))
	// Output:
	// 5
	// {"count":{"N":"5"}}
}

func ExampleParseKeyCondition() {
	p := expr.MustParams(nil, map[string]attr.Value{":pk": attr.S("user#1"), ":lo": attr.MustN("10"), ":hi": attr.MustN("20")})
	kc, err := expr.ParseKeyCondition("pk = :pk AND ts BETWEEN :lo AND :hi", p, "pk", "ts")
	if err != nil {
		panic(err)
	}
	start, end, _ := kc.Range.Bounds()
	fmt.Println(kc.HashValue.Str(), kc.Range.Name, kc.Range.Match(attr.MustN("15")))
	fmt.Printf("%x %x\n", start, end)
	// Output:
	// user#1 ts true
	// 81830b00 81831501
}
