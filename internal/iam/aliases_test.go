package iam_test

import (
	"testing"
)

func TestAccountAliases(t *testing.T) {
	f := newFixture(t)
	var l struct {
		AccountAliases []string `xml:"AccountAliases>member"`
	}
	f.must(&l, "ListAccountAliases")
	if len(l.AccountAliases) != 0 {
		t.Errorf("ListAccountAliases = %v; want none", l.AccountAliases)
	}
	f.must(nil, "CreateAccountAlias", "AccountAlias", "my-co")
	f.must(nil, "CreateAccountAlias", "AccountAlias", "my-co2") // replaces
	f.must(&l, "ListAccountAliases")
	if len(l.AccountAliases) != 1 || l.AccountAliases[0] != "my-co2" {
		t.Errorf("ListAccountAliases = %v; want [my-co2]", l.AccountAliases)
	}
	f.fail("ValidationError", "", "CreateAccountAlias", "AccountAlias", "Bad--Alias")
	f.fail("NoSuchEntity", "The account alias my-co cannot be found.", "DeleteAccountAlias", "AccountAlias", "my-co")
	f.must(nil, "DeleteAccountAlias", "AccountAlias", "my-co2")
}
