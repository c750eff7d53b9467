package secretsmanager_test

import (
	"strings"
	"testing"

	"tenkai/internal/secretsmanager"
)

// Any SecretId gets an answer or an error, never a panic, and one that
// finds a secret finds the right one: by name, full ARN or partial ARN.
func FuzzSecretID(f *testing.F) {
	s := secretsmanager.New(secretsmanager.Config{})
	names := []string{"app/db", "app/db-abcdef", "x"}
	arns := map[string]string{}
	for _, n := range names {
		out, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr(n), SecretString: ptr(n)})
		if err != nil {
			f.Fatal(err)
		}
		arns[out.ARN] = n
		f.Add(out.ARN)
		f.Add(out.ARN[:len(out.ARN)-7])
	}
	for _, seed := range []string{"app/db", "arn:", "arn:aws:secretsmanager:us-east-1:000000000000:secret:", "arn:aws:secretsmanager:us-east-1:000000000000:secret:x-", "::::::::", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		v, err := s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
		if err != nil {
			return
		}
		want, byARN := arns[id]
		switch {
		case byARN && v.Name != want:
			t.Fatalf("GetSecretValue(%q) found %s; want %s", id, v.Name, want)
		case !byARN && !strings.HasPrefix(id, "arn:") && v.Name != id:
			t.Fatalf("GetSecretValue(%q) found %s", id, v.Name)
		case *v.SecretString != v.Name:
			t.Fatalf("GetSecretValue(%q) = %+v: value of another secret", id, v)
		}
	})
}
