package store_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tenkai/internal/store"
)

func stores(t *testing.T) map[string]store.Store {
	t.Helper()
	b, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return map[string]store.Store{"mem": store.NewMem(), "bolt": b}
}

func scan(t *testing.T, s store.Store, bucket string, from, to []byte, reverse bool) string {
	t.Helper()
	var got []string
	if err := s.View(func(tx store.Tx) error {
		tx.Bucket(bucket).Scan(from, to, reverse, func(k, v []byte) bool {
			got = append(got, string(k)+"="+string(v))
			return true
		})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, ",")
}

func TestStoreBasics(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			err := s.Update(func(tx store.Tx) error {
				b := tx.Bucket("b")
				for _, k := range []string{"c", "a", "e", "b", "d"} {
					if err := b.Put([]byte(k), []byte(strings.ToUpper(k))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				from, to string
				reverse  bool
				want     string
			}{
				{"", "", false, "a=A,b=B,c=C,d=D,e=E"},
				{"b", "d", false, "b=B,c=C"},
				{"", "", true, "e=E,d=D,c=C,b=B,a=A"},
				{"b", "d", true, "c=C,b=B"},
				{"bb", "", true, "e=E,d=D,c=C"},
				{"", "c", true, "b=B,a=A"},
				{"", "cc", true, "c=C,b=B,a=A"},
			}
			for _, tc := range tests {
				var from, to []byte
				if tc.from != "" {
					from = []byte(tc.from)
				}
				if tc.to != "" {
					to = []byte(tc.to)
				}
				if got := scan(t, s, "b", from, to, tc.reverse); got != tc.want {
					t.Errorf("Scan(%q, %q, %v) = %q; want %q", tc.from, tc.to, tc.reverse, got, tc.want)
				}
			}
			_ = s.View(func(tx store.Tx) error {
				if n := tx.Bucket("b").Len(); n != 5 {
					t.Errorf("Len() = %d; want 5", n)
				}
				if v := tx.Bucket("missing").Get([]byte("a")); v != nil {
					t.Errorf("Get on missing bucket = %q; want nil", v)
				}
				if err := tx.Bucket("b").Put([]byte("x"), nil); !errors.Is(err, store.ErrReadOnly) {
					t.Errorf("Put in View = %v; want ErrReadOnly", err)
				}
				return nil
			})
		})
	}
}

func TestStoreRollback(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			_ = s.Update(func(tx store.Tx) error { return tx.Bucket("keep").Put([]byte("k"), []byte("v1")) })
			boom := errors.New("boom")
			err := s.Update(func(tx store.Tx) error {
				_ = tx.Bucket("keep").Put([]byte("k"), []byte("v2"))
				_ = tx.Bucket("keep").Put([]byte("k2"), []byte("new"))
				_ = tx.Bucket("fresh").Put([]byte("x"), []byte("y"))
				_ = tx.DeleteBucket("keep")
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Update = %v; want boom", err)
			}
			if got := scan(t, s, "keep", nil, nil, false); got != "k=v1" {
				t.Errorf("after rollback keep = %q; want k=v1", got)
			}
			var names []string
			_ = s.View(func(tx store.Tx) error {
				tx.BucketNames("", func(n string) bool { names = append(names, n); return true })
				return nil
			})
			if strings.Join(names, ",") != "keep" {
				t.Errorf("buckets after rollback = %v; want [keep]", names)
			}
			if err := s.Reset(); err != nil {
				t.Fatal(err)
			}
			if got := scan(t, s, "keep", nil, nil, false); got != "" {
				t.Errorf("after Reset keep = %q; want empty", got)
			}
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		in   []byte
		want []byte
	}{
		{[]byte("ab"), []byte("ac")},
		{[]byte{'a', 0xff}, []byte("b")},
		{[]byte{0xff, 0xff}, nil},
	}
	for _, tc := range tests {
		if got := store.PrefixEnd(tc.in); string(got) != string(tc.want) {
			t.Errorf("PrefixEnd(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestKillNineLosesNothing writes from a child process that acknowledges each
// committed key on stdout, kills it with SIGKILL mid-stream, and checks every
// acknowledged key is in the reopened file.
func TestKillNineLosesNothing(t *testing.T) {
	if dir := os.Getenv("TENKAI_STORE_CHILD"); dir != "" {
		s, err := store.OpenBolt(dir)
		if err != nil {
			os.Exit(3)
		}
		for i := 0; ; i++ {
			k := []byte(strconv.Itoa(i))
			if err := s.Update(func(tx store.Tx) error { return tx.Bucket("acked").Put(k, k) }); err != nil {
				os.Exit(4)
			}
			os.Stdout.WriteString(string(k) + "\n")
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineLosesNothing$")
	cmd.Env = append(os.Environ(), "TENKAI_STORE_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last := -1
	for sc.Scan() {
		n, err := strconv.Atoi(sc.Text())
		if err != nil {
			continue
		}
		last = n
		if n >= 200 {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if last < 200 {
		t.Fatalf("child acknowledged only %d writes", last+1)
	}
	s, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(func(tx store.Tx) error {
		b := tx.Bucket("acked")
		for i := 0; i <= last; i++ {
			if b.Get([]byte(strconv.Itoa(i))) == nil {
				t.Errorf("acknowledged key %d lost after kill -9", i)
			}
		}
		return nil
	})
}

// Put copies: a caller may reuse its key and value buffers within the same
// transaction (logs does, for every event of a batch) without changing what
// was stored before.
func TestPutCopiesWithinTransaction(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			err := s.Update(func(tx store.Tx) error {
				b := tx.Bucket("reuse")
				k, v := []byte("k1"), []byte("first")
				if err := b.Put(k, v); err != nil {
					return err
				}
				copy(k, "k2")
				copy(v, "again")
				return b.Put(k, v)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := scan(t, s, "reuse", nil, nil, false); got != "k1=first,k2=again" {
				t.Errorf("stored %s; want k1=first,k2=again", got)
			}
		})
	}
}
