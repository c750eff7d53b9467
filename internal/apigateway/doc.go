// Package apigateway serves Amazon API Gateway: the HTTP API (apigatewayv2)
// and REST API (apigateway) control planes, and the data plane that turns
// requests to invoke URLs and Lambda function URLs into Lambda proxy events
// (payload format 1.0 and 2.0) and maps the functions' responses back.
//
// The event building, response mapping and route matching are plain Go
// (event.go, response.go, route.go) and import no net/http.
package apigateway
