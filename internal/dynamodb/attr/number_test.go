package attr_test

import (
	"errors"
	"testing"

	"tenkai/internal/dynamodb/attr"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "1.0", want: "1"},
		{in: "00042", want: "42"},
		{in: "-0", want: "0"},
		{in: "0.000", want: "0"},
		{in: "+7", want: "7"},
		{in: "1.5E2", want: "150"},
		{in: "1e-5", want: "0.00001"},
		{in: "-12.3400", want: "-12.34"},
		{in: ".5", want: "0.5"},
		{in: "5.", want: "5"},
		{in: "0.0012e3", want: "1.2"},
		{in: "123456789012345678901234567890123456780000", want: "123456789012345678901234567890123456780000"},
		{in: "1E+125", want: "1" + zeros(125)},
		{in: "9.9999999999999999999999999999999999999E+125", want: "99999999999999999999999999999999999999" + zeros(88)},
		{in: "1E-130", want: "0." + zeros(129) + "1"},
		{in: "0e999999999999", want: "0"},
		{in: "", err: "The parameter cannot be converted to a numeric value"},
		{in: "abc", err: "The parameter cannot be converted to a numeric value: abc"},
		{in: "1.2.3", err: "The parameter cannot be converted to a numeric value: 1.2.3"},
		{in: "1e", err: "The parameter cannot be converted to a numeric value: 1e"},
		{in: " 1", err: "The parameter cannot be converted to a numeric value:  1"},
		{in: ".", err: "The parameter cannot be converted to a numeric value: ."},
		{in: "NaN", err: "The parameter cannot be converted to a numeric value: NaN"},
		{in: "1E+126", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{in: "1E-131", err: "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{in: "1e99999999999999999999", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{in: "123456789012345678901234567890123456789", err: "Attempting to store more than 38 significant digits in a Number"},
		{in: "0.123456789012345678901234567890123456789", err: "Attempting to store more than 38 significant digits in a Number"},
	}
	for _, tc := range tests {
		got, err := attr.ParseNumber(tc.in)
		if tc.err != "" {
			var ae *attr.Error
			if !errors.As(err, &ae) || ae.Message != tc.err || ae.Code != attr.CodeValidation {
				t.Errorf("ParseNumber(%q) error = %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestCompareNumbers(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"10", "9", 1},
		{"-10", "-9", -1},
		{"-1", "1", -1},
		{"0", "-0.1", 1},
		{"0.5", "0", 1},
		{"1.05", "1.5", -1},
		{"1.0", "1", 0},
		{"1e3", "999.9999", 1},
		{"-1e-3", "-0.01", 1},
		{"123.456", "123.4560", 0},
	}
	for _, tc := range tests {
		got, ok := attr.Compare(attr.MustN(tc.a), attr.MustN(tc.b))
		if !ok || got != tc.want {
			t.Errorf("Compare(%s, %s) = %d, %v; want %d", tc.a, tc.b, got, ok, tc.want)
		}
	}
	if _, ok := attr.Compare(attr.S("1"), attr.MustN("1")); ok {
		t.Errorf("Compare(S, N) ok = true; want false")
	}
}

func TestArithmetic(t *testing.T) {
	tests := []struct {
		a, b    string
		sub     bool
		want    string
		wantErr string
	}{
		{a: "1", b: "2", want: "3"},
		{a: "0.1", b: "0.2", want: "0.3"},
		{a: "5", b: "7", sub: true, want: "-2"},
		{a: "1.5", b: "1.5", sub: true, want: "0"},
		{a: "9.9999999999999999999999999999999999999E+125", b: "9.9999999999999999999999999999999999999E+125", wantErr: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{a: "1E+30", b: "1E-30", wantErr: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{a: "1E+50", b: "1", sub: true, wantErr: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{a: "1", b: "10000000000000000000000", want: "10000000000000000000001"},
		{a: "1.1E-130", b: "1E-130", sub: true, wantErr: "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
	}
	for _, tc := range tests {
		f := attr.Add
		if tc.sub {
			f = attr.Sub
		}
		got, err := f(attr.MustN(tc.a), attr.MustN(tc.b))
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("arith(%s, %s) error = %v; want %q", tc.a, tc.b, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Num() != tc.want {
			t.Errorf("arith(%s, %s, sub=%v) = %s, %v; want %s", tc.a, tc.b, tc.sub, got.Num(), err, tc.want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	x, y := attr.MustN("12345.678"), attr.MustN("1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := attr.Add(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
