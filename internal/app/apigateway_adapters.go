package app

import (
	"context"

	"tenkai/internal/apigateway"
)

// gatewayFunctions lets API Gateway invoke Lambda integrations, check their
// resource policies and resolve function URLs.
type gatewayFunctions struct{ a *App }

func (f gatewayFunctions) Invoke(ctx context.Context, account, region, function string, payload []byte) ([]byte, string, error) {
	res, err := f.a.lambda.Invoke(ctx, account, region, function, "", payload, false)
	if err != nil {
		return nil, "", err
	}
	return res.Payload, res.FunctionError, nil
}

func (f gatewayFunctions) AllowsInvoke(ctx context.Context, account, region, function, principal, sourceARN string) bool {
	return f.a.lambda.Allows(ctx, account, region, function, principal, sourceARN)
}

func (f gatewayFunctions) FunctionURL(ctx context.Context, urlID string) (apigateway.FunctionURL, bool) {
	t, ok := f.a.lambda.FunctionURL(ctx, urlID)
	if !ok {
		return apigateway.FunctionURL{}, false
	}
	u := apigateway.FunctionURL{Account: t.Account, Region: t.Region, FunctionARN: t.FunctionARN, AuthType: t.AuthType, Allowed: t.Public}
	if c := t.Cors; c != nil {
		u.Cors = &apigateway.Cors{AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, AllowOrigins: c.AllowOrigins,
			ExposeHeaders: c.ExposeHeaders, MaxAge: -1}
		if c.AllowCredentials != nil {
			u.Cors.AllowCredentials = *c.AllowCredentials
		}
		if c.MaxAge != nil {
			u.Cors.MaxAge = *c.MaxAge
		}
	}
	return u, true
}

func (a *App) newAPIGateway() *apigateway.Service {
	return apigateway.New(apigateway.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Functions: gatewayFunctions{a}})
}

var _ apigateway.Functions = gatewayFunctions{}
