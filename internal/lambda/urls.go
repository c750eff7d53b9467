package lambda

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Function URLs: the configuration lives here, next to the function; the
// HTTP endpoint ({urlId}.lambda-url.{region}.localhost) is served by the API
// Gateway package, which resolves ids with FunctionURL.

// URLCors is a function URL's CORS configuration.
type URLCors struct {
	AllowCredentials *bool    `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           *int     `json:"MaxAge,omitempty"`
}

type urlConfig struct {
	ID        string   `json:"id"`
	Account   string   `json:"account"`
	Region    string   `json:"region"`
	Function  string   `json:"function"`
	Qualifier string   `json:"qualifier,omitempty"`
	AuthType  string   `json:"authType"`
	Cors      *URLCors `json:"cors,omitempty"`
	Mode      string   `json:"invokeMode"`
	Created   int64    `json:"created"`
	Modified  int64    `json:"modified"`
}

// URLTarget is what the function URL data plane needs about a URL.
type URLTarget struct {
	Account, Region string
	FunctionARN     string // qualified when the URL belongs to an alias
	AuthType        string
	Cors            *URLCors
	// Public reports whether the resource policy allows both
	// lambda:InvokeFunctionUrl (for AuthType NONE) and lambda:InvokeFunction
	// to principal *.
	Public bool
}

func urlBucket(account, region string) string { return "lambda/urls/" + account + "/" + region }

const urlIndexBucket = "lambda/url-index"

func urlKey(name, qualifier string) []byte { return []byte(name + "\x00" + qualifier) }

func newURLID() string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b[:])
}

func (u *urlConfig) out(ctx context.Context) map[string]any {
	port := "4566"
	if _, p, err := net.SplitHostPort(edge.MetaFrom(ctx).Host); err == nil {
		port = p
	}
	arn := functionARN(u.Account, u.Region, u.Function)
	if u.Qualifier != "" {
		arn += ":" + u.Qualifier
	}
	out := map[string]any{
		"FunctionUrl": "http://" + u.ID + ".lambda-url." + u.Region + ".localhost:" + port + "/",
		"FunctionArn": arn, "AuthType": u.AuthType, "InvokeMode": u.Mode,
		"CreationTime":     time.UnixMilli(u.Created).UTC().Format("2006-01-02T15:04:05.000000Z"),
		"LastModifiedTime": time.UnixMilli(u.Modified).UTC().Format("2006-01-02T15:04:05.000000Z"),
	}
	if u.Cors != nil {
		out["Cors"] = u.Cors
	}
	return out
}

type urlInput struct {
	AuthType   *string  `json:"AuthType"`
	Cors       *URLCors `json:"Cors"`
	InvokeMode *string  `json:"InvokeMode"`
}

func (in *urlInput) check() error {
	if in.AuthType != nil && *in.AuthType != "NONE" && *in.AuthType != "AWS_IAM" {
		return edge.Validation("1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]", *in.AuthType)
	}
	if in.InvokeMode != nil && *in.InvokeMode != "BUFFERED" && *in.InvokeMode != "RESPONSE_STREAM" {
		return edge.Validation("1 validation error detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]", *in.InvokeMode)
	}
	return nil
}

// urlRef resolves the function and qualifier of a URL call; a URL belongs
// to the unqualified function or to an alias.
func (s *Service) urlRef(r *http.Request) (FuncRef, error) {
	ref, err := s.ref(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return ref, err
	}
	if ref.Qualifier == "$LATEST" {
		ref.Qualifier = ""
	}
	fn, err := s.view(FuncRef{Account: ref.Account, Region: ref.Region, Name: ref.Name})
	if err != nil {
		return ref, err
	}
	if ref.Qualifier != "" && fn.Aliases[ref.Qualifier] == nil {
		return ref, edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	return ref, nil
}

func loadURL(tx store.Tx, ref FuncRef) (*urlConfig, error) {
	v := tx.Bucket(urlBucket(ref.Account, ref.Region)).Get(urlKey(ref.Name, ref.Qualifier))
	if v == nil {
		return nil, edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	var u urlConfig
	if err := json.Unmarshal(v, &u); err != nil {
		return nil, fmt.Errorf("decode function url %s: %w", ref.Name, err)
	}
	return &u, nil
}

func saveURL(tx store.Tx, u *urlConfig) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	if err := tx.Bucket(urlBucket(u.Account, u.Region)).Put(urlKey(u.Function, u.Qualifier), b); err != nil {
		return err
	}
	return tx.Bucket(urlIndexBucket).Put([]byte(u.ID), b)
}

// urlRoutes serves Create/Get/Update/Delete/ListFunctionUrlConfigs.
func (s *Service) urlRoutes() {
	const p = "/2021-10-31/functions/{name}/url"
	s.handle("POST "+p, "CreateFunctionUrlConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in urlInput
		if err := readJSON(r, "CreateFunctionUrlConfig", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		if in.AuthType == nil {
			return 0, nil, edge.MissingMember("authType")
		}
		if err := in.check(); err != nil {
			return 0, nil, err
		}
		ref, err := s.urlRef(r)
		if err != nil {
			return 0, nil, err
		}
		now := s.clk.Now().UnixMilli()
		u := &urlConfig{ID: newURLID(), Account: ref.Account, Region: ref.Region, Function: ref.Name, Qualifier: ref.Qualifier,
			AuthType: *in.AuthType, Cors: in.Cors, Mode: "BUFFERED", Created: now, Modified: now}
		if in.InvokeMode != nil {
			u.Mode = *in.InvokeMode
		}
		err = s.st.Update(func(tx store.Tx) error {
			if tx.Bucket(urlBucket(ref.Account, ref.Region)).Get(urlKey(ref.Name, ref.Qualifier)) != nil {
				return edge.NewError(http.StatusConflict, "ResourceConflictException",
					fmt.Sprintf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", ref.ARN()))
			}
			return saveURL(tx, u)
		})
		if err != nil {
			return 0, nil, err
		}
		out := u.out(r.Context())
		delete(out, "LastModifiedTime")
		return http.StatusCreated, out, nil
	})
	s.handle("GET "+p, "GetFunctionUrlConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := s.urlRef(r)
		if err != nil {
			return 0, nil, err
		}
		var u *urlConfig
		err = s.st.View(func(tx store.Tx) error {
			u, err = loadURL(tx, ref)
			return err
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, u.out(r.Context()), nil
	})
	s.handle("PUT "+p, "UpdateFunctionUrlConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in urlInput
		if err := readJSON(r, "UpdateFunctionUrlConfig", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		if err := in.check(); err != nil {
			return 0, nil, err
		}
		ref, err := s.urlRef(r)
		if err != nil {
			return 0, nil, err
		}
		var u *urlConfig
		err = s.st.Update(func(tx store.Tx) error {
			if u, err = loadURL(tx, ref); err != nil {
				return err
			}
			if in.AuthType != nil {
				u.AuthType = *in.AuthType
			}
			if in.Cors != nil {
				u.Cors = in.Cors
			}
			if in.InvokeMode != nil {
				u.Mode = *in.InvokeMode
			}
			u.Modified = s.clk.Now().UnixMilli()
			return saveURL(tx, u)
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, u.out(r.Context()), nil
	})
	s.handle("DELETE "+p, "DeleteFunctionUrlConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := s.urlRef(r)
		if err != nil {
			return 0, nil, err
		}
		err = s.st.Update(func(tx store.Tx) error {
			u, err := loadURL(tx, ref)
			if err != nil {
				return err
			}
			if err := tx.Bucket(urlIndexBucket).Delete([]byte(u.ID)); err != nil {
				return err
			}
			return tx.Bucket(urlBucket(ref.Account, ref.Region)).Delete(urlKey(ref.Name, ref.Qualifier))
		})
		return http.StatusNoContent, nil, err
	})
	s.handle("GET "+p+"s", "ListFunctionUrlConfigs", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := s.unqualified(r.Context(), r.PathValue("name"))
		if err != nil {
			return 0, nil, err
		}
		if _, err := s.view(ref); err != nil {
			return 0, nil, err
		}
		items := []any{}
		err = s.st.View(func(tx store.Tx) error {
			prefix := []byte(ref.Name + "\x00")
			tx.Bucket(urlBucket(ref.Account, ref.Region)).Scan(prefix, []byte(ref.Name+"\x01"), false, func(k, v []byte) bool {
				var u urlConfig
				if json.Unmarshal(v, &u) == nil {
					items = append(items, u.out(r.Context()))
				}
				return true
			})
			return nil
		})
		return http.StatusOK, map[string]any{"FunctionUrlConfigs": items}, err
	})
}

// FunctionURL resolves a function URL id for the data plane. ok is false
// when no URL has that id or its function is gone.
func (s *Service) FunctionURL(ctx context.Context, urlID string) (URLTarget, bool) {
	var u urlConfig
	var fn *function
	err := s.st.View(func(tx store.Tx) error {
		v := tx.Bucket(urlIndexBucket).Get([]byte(urlID))
		if v == nil {
			return errNoURL
		}
		if err := json.Unmarshal(v, &u); err != nil {
			return err
		}
		var err error
		fn, err = loadFunction(tx, FuncRef{Account: u.Account, Region: u.Region, Name: u.Function})
		return err
	})
	if err != nil {
		return URLTarget{}, false
	}
	t := URLTarget{Account: u.Account, Region: u.Region, FunctionARN: functionARN(u.Account, u.Region, u.Function),
		AuthType: u.AuthType, Cors: u.Cors}
	if u.Qualifier != "" {
		t.FunctionARN += ":" + u.Qualifier
	}
	stmts := append([]statement(nil), fn.Policy[""]...)
	if u.Qualifier != "" {
		stmts = append(stmts, fn.Policy[u.Qualifier]...)
	}
	// Since October 2025 a new function URL needs both lambda:InvokeFunctionUrl
	// and lambda:InvokeFunction granted to the caller (principal * for NONE).
	var viaURL, invoke bool
	for _, st := range stmts {
		if st.Principal != "*" {
			continue
		}
		switch st.Action {
		case "lambda:InvokeFunctionUrl":
			viaURL = viaURL || st.UrlAuthType == "" || st.UrlAuthType == u.AuthType
		case "lambda:InvokeFunction":
			invoke = true
		case "lambda:*", "*":
			viaURL, invoke = true, true
		}
	}
	t.Public = viaURL && invoke
	return t, true
}

var errNoURL = edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
