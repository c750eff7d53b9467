package apigateway

import "encoding/json"

// httpAPI is the stored document of an HTTP API: the API with its routes,
// integrations, stages and deployments (deployments hold snapshots of the
// routes and integrations they deployed).
type httpAPI struct {
	ID                        string                  `json:"id"`
	Name                      string                  `json:"name"`
	ProtocolType              string                  `json:"protocolType"`
	Description               string                  `json:"description,omitempty"`
	Version                   string                  `json:"version,omitempty"`
	RouteSelectionExpression  string                  `json:"routeSelectionExpression"`
	ApiKeySelectionExpression string                  `json:"apiKeySelectionExpression"`
	DisableExecuteApiEndpoint bool                    `json:"disableExecuteApiEndpoint"`
	IpAddressType             string                  `json:"ipAddressType,omitempty"`
	Cors                      *corsConfig             `json:"corsConfiguration,omitempty"`
	Tags                      map[string]string       `json:"tags,omitempty"`
	Created                   int64                   `json:"created"` // unix millis
	Routes                    map[string]*route       `json:"routes,omitempty"`
	Integrations              map[string]*integration `json:"integrations,omitempty"`
	Stages                    map[string]*stage       `json:"stages,omitempty"`
	Deployments               map[string]*deployment  `json:"deployments,omitempty"`
}

type corsConfig struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

type route struct {
	RouteID           string          `json:"routeId"`
	RouteKey          string          `json:"routeKey"`
	Target            string          `json:"target,omitempty"`
	AuthorizationType string          `json:"authorizationType"`
	AuthorizerID      string          `json:"authorizerId,omitempty"`
	ApiKeyRequired    bool            `json:"apiKeyRequired"`
	OperationName     string          `json:"operationName,omitempty"`
	RequestParameters json.RawMessage `json:"requestParameters,omitempty"`
	ApiGatewayManaged bool            `json:"apiGatewayManaged,omitempty"`
}

type integration struct {
	IntegrationID        string          `json:"integrationId"`
	IntegrationType      string          `json:"integrationType"`
	IntegrationURI       string          `json:"integrationUri,omitempty"`
	IntegrationMethod    string          `json:"integrationMethod,omitempty"`
	PayloadFormatVersion string          `json:"payloadFormatVersion,omitempty"`
	TimeoutInMillis      int             `json:"timeoutInMillis"`
	ConnectionType       string          `json:"connectionType"`
	Description          string          `json:"description,omitempty"`
	CredentialsArn       string          `json:"credentialsArn,omitempty"`
	RequestParameters    json.RawMessage `json:"requestParameters,omitempty"`
	ApiGatewayManaged    bool            `json:"apiGatewayManaged,omitempty"`
}

type stage struct {
	StageName      string            `json:"stageName"`
	AutoDeploy     bool              `json:"autoDeploy"`
	DeploymentID   string            `json:"deploymentId,omitempty"`
	Description    string            `json:"description,omitempty"`
	StageVariables map[string]string `json:"stageVariables,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	Created        int64             `json:"created"`
	Updated        int64             `json:"updated"`
	Managed        bool              `json:"apiGatewayManaged,omitempty"`
	LastMessage    string            `json:"lastDeploymentStatusMessage,omitempty"`
}

type deployment struct {
	DeploymentID string                  `json:"deploymentId"`
	Description  string                  `json:"description,omitempty"`
	AutoDeployed bool                    `json:"autoDeployed"`
	Created      int64                   `json:"created"`
	Routes       map[string]*route       `json:"routes,omitempty"`
	Integrations map[string]*integration `json:"integrations,omitempty"`
}

// restAPI is the stored document of a REST API with its resources,
// deployments (snapshots of the resource tree) and stages.
type restAPI struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               string                 `json:"description,omitempty"`
	Version                   string                 `json:"version,omitempty"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int                   `json:"minimumCompressionSize,omitempty"`
	ApiKeySource              string                 `json:"apiKeySource"`
	EndpointTypes             []string               `json:"endpointTypes"`
	DisableExecuteApiEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	Policy                    string                 `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitempty"`
	Created                   int64                  `json:"created"`
	RootID                    string                 `json:"rootId"`
	Resources                 map[string]*resource   `json:"resources"`
	Deployments               map[string]*restDeploy `json:"deployments,omitempty"`
	Stages                    map[string]*restStage  `json:"stages,omitempty"`
}

type resource struct {
	ID       string             `json:"id"`
	ParentID string             `json:"parentId,omitempty"`
	PathPart string             `json:"pathPart,omitempty"`
	Path     string             `json:"path"`
	Methods  map[string]*method `json:"methods,omitempty"`
}

type method struct {
	HTTPMethod        string                     `json:"httpMethod"`
	AuthorizationType string                     `json:"authorizationType"`
	AuthorizerID      string                     `json:"authorizerId,omitempty"`
	ApiKeyRequired    bool                       `json:"apiKeyRequired"`
	OperationName     string                     `json:"operationName,omitempty"`
	RequestParameters map[string]bool            `json:"requestParameters,omitempty"`
	RequestModels     map[string]string          `json:"requestModels,omitempty"`
	MethodResponses   map[string]*methodResponse `json:"methodResponses,omitempty"`
	Integration       *restIntegration           `json:"methodIntegration,omitempty"`
}

type methodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

type restIntegration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	Credentials          string                          `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string               `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                          `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                             `json:"timeoutInMillis"`
	CacheNamespace       string                          `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*integrationResponse `json:"integrationResponses,omitempty"`
}

type integrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

type restDeploy struct {
	ID          string               `json:"id"`
	Description string               `json:"description,omitempty"`
	Created     int64                `json:"created"`
	Resources   map[string]*resource `json:"resources"`
}

type restStage struct {
	StageName    string            `json:"stageName"`
	DeploymentID string            `json:"deploymentId"`
	Description  string            `json:"description,omitempty"`
	Variables    map[string]string `json:"variables,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	Created      int64             `json:"created"`
	Updated      int64             `json:"updated"`
}

// apiIndex locates an API by id alone, for invoke URLs that name no
// account or region.
type apiIndex struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Kind    string `json:"kind"` // "http" or "rest"
}
