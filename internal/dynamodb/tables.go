package dynamodb

import (
	"context"
	"slices"
	"sort"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type gsiInput struct {
	IndexName             string             `json:"IndexName"`
	KeySchema             []KeySchemaElement `json:"KeySchema"`
	Projection            *Projection        `json:"Projection"`
	ProvisionedThroughput *Throughput        `json:"ProvisionedThroughput"`
}

type createTableInput struct {
	TableName                 string                `json:"TableName"`
	AttributeDefinitions      []AttributeDefinition `json:"AttributeDefinitions"`
	KeySchema                 []KeySchemaElement    `json:"KeySchema"`
	LocalSecondaryIndexes     []gsiInput            `json:"LocalSecondaryIndexes"`
	GlobalSecondaryIndexes    []gsiInput            `json:"GlobalSecondaryIndexes"`
	BillingMode               string                `json:"BillingMode"`
	ProvisionedThroughput     *Throughput           `json:"ProvisionedThroughput"`
	StreamSpecification       *StreamSpecification  `json:"StreamSpecification"`
	Tags                      []Tag                 `json:"Tags"`
	TableClass                string                `json:"TableClass"`
	DeletionProtectionEnabled *bool                 `json:"DeletionProtectionEnabled"`
}

// tableName resolves a TableName member, which may also be a table ARN.
func tableName(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if _, after, ok := strings.Cut(s, ":table/"); ok {
			name, _, _ := strings.Cut(after, "/")
			return name
		}
	}
	return s
}

func checkTableName(name, member string) error {
	if name == "" {
		return edge.MissingMember(member)
	}
	if len(name) < 3 {
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", name, member)
	}
	if len(name) > 255 {
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, member)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, member)
		}
	}
	return nil
}

func checkKeySchema(ks []KeySchemaElement, member string) error {
	if ks == nil {
		return edge.MissingMember(member)
	}
	if len(ks) < 1 || len(ks) > 2 {
		return validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", ks, member)
	}
	for i, k := range ks {
		if k.KeyType != "HASH" && k.KeyType != "RANGE" {
			return validation("1 validation error detected: Value '%s' at '%s.%d.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]", k.KeyType, member, i+1)
		}
		if k.AttributeName == "" {
			return validation("1 validation error detected: Value '' at '%s.%d.member.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1", member, i+1)
		}
	}
	if ks[0].KeyType != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	return nil
}

func checkProjection(p *Projection, index string) (Projection, error) {
	if p == nil || p.ProjectionType == "" {
		return Projection{}, validation("One or more parameter values were invalid: Unknown ProjectionType: null")
	}
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return Projection{}, validation("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return Projection{}, validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		if len(p.NonKeyAttributes) > 100 {
			return Projection{}, validation("One or more parameter values were invalid: Number of NonKeyAttributes in all indexes exceeds the limit of 100")
		}
	default:
		return Projection{}, validation("1 validation error detected: Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType)
	}
	return *p, nil
}

// checkThroughput returns the units of a ProvisionedThroughput member.
func checkThroughput(tp *Throughput) (rcu, wcu int64, err error) {
	if tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
		return 0, 0, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	rcu, wcu = *tp.ReadCapacityUnits, *tp.WriteCapacityUnits
	if rcu < 1 {
		return 0, 0, validation("1 validation error detected: Value '%d' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1", rcu)
	}
	if wcu < 1 {
		return 0, 0, validation("1 validation error detected: Value '%d' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1", wcu)
	}
	return rcu, wcu, nil
}

func (s *Service) now() float64 {
	return float64(s.clk.Now().UnixMilli()) / 1000
}

func (s *Service) createTable(ctx context.Context, sc scope, body []byte) (*tableDescOut, error) {
	var in createTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkTableName(in.TableName, "tableName"); err != nil {
		return nil, err
	}
	if in.AttributeDefinitions == nil {
		return nil, edge.MissingMember("attributeDefinitions")
	}
	if err := checkKeySchema(in.KeySchema, "keySchema"); err != nil {
		return nil, err
	}
	m := tableMeta{Name: in.TableName, ID: edge.NewUUID(), Created: s.now(), KeySchema: in.KeySchema,
		Attributes: in.AttributeDefinitions, TableClass: in.TableClass, Tags: in.Tags}
	if err := checkBilling(&m, in.BillingMode, in.ProvisionedThroughput); err != nil {
		return nil, err
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	switch in.TableClass {
	case "", "STANDARD", "STANDARD_INFREQUENT_ACCESS":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]", in.TableClass)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	for _, a := range in.AttributeDefinitions {
		switch a.AttributeType {
		case "S", "N", "B":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", a.AttributeType)
		}
	}
	hash, rng := splitKeySchema(in.KeySchema)
	seen := map[string]bool{}
	for _, gi := range in.GlobalSecondaryIndexes {
		im, err := s.checkIndex(gi, &m, true, seen)
		if err != nil {
			return nil, err
		}
		m.GSIs = append(m.GSIs, im)
	}
	if len(m.GSIs) > 20 {
		return nil, edge.Errorf("LimitExceededException", "Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of 20")
	}
	for _, li := range in.LocalSecondaryIndexes {
		if rng == "" {
			return nil, validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		im, err := s.checkIndex(li, &m, false, seen)
		if err != nil {
			return nil, err
		}
		ih, _ := splitKeySchema(im.KeySchema)
		if ih != hash {
			return nil, validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", im.Name, ih, hash)
		}
		m.LSIs = append(m.LSIs, im)
	}
	if len(m.LSIs) > 5 {
		return nil, validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
	}
	if err := checkAttributeDefinitions(&m); err != nil {
		return nil, err
	}
	if in.StreamSpecification != nil && (in.StreamSpecification.StreamEnabled || in.StreamSpecification.StreamViewType != "") {
		if err := s.setStream(&m, in.StreamSpecification); err != nil {
			return nil, err
		}
	}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(metaBucket(sc))
		if b.Get([]byte(m.Name)) != nil {
			return edge.Errorf("ResourceInUseException", "Table already exists: %s", m.Name)
		}
		if err := s.syncStream(tx, sc, nil, &m); err != nil {
			return err
		}
		return putMeta(tx, sc, &m)
	})
	if err != nil {
		return nil, err
	}
	s.forget(sc, m.Name)
	t := s.newTable(sc, m)
	// AWS answers CREATING and the table turns ACTIVE a moment later; here
	// it is ACTIVE (and usable) by the first DescribeTable.
	return &tableDescOut{TableDescription: s.describe(t, "CREATING", nil)}, nil
}

// checkBilling applies BillingMode and ProvisionedThroughput to m.
func checkBilling(m *tableMeta, mode string, tp *Throughput) error {
	switch mode {
	case "", "PROVISIONED":
		m.BillingMode = "PROVISIONED"
		m.BillingSet = mode != ""
		if tp == nil {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		r, w, err := checkThroughput(tp)
		if err != nil {
			return err
		}
		m.RCU, m.WCU = r, w
	case "PAY_PER_REQUEST":
		m.BillingMode, m.BillingSet = mode, true
		if tp != nil {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	default:
		return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	return nil
}

// checkIndex validates one index definition against the table.
func (s *Service) checkIndex(gi gsiInput, m *tableMeta, global bool, seen map[string]bool) (indexMeta, error) {
	if gi.IndexName == "" {
		return indexMeta{}, edge.MissingMember("indexName")
	}
	if err := checkTableName(gi.IndexName, "indexName"); err != nil {
		return indexMeta{}, err
	}
	if seen[gi.IndexName] {
		return indexMeta{}, validation("One or more parameter values were invalid: Duplicate index name: %s", gi.IndexName)
	}
	seen[gi.IndexName] = true
	if err := checkKeySchema(gi.KeySchema, "keySchema"); err != nil {
		return indexMeta{}, err
	}
	if !global && len(gi.KeySchema) != 2 {
		return indexMeta{}, validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", gi.IndexName)
	}
	p, err := checkProjection(gi.Projection, gi.IndexName)
	if err != nil {
		return indexMeta{}, err
	}
	im := indexMeta{Name: gi.IndexName, KeySchema: gi.KeySchema, Projection: p}
	if global {
		if m.BillingMode == "PROVISIONED" {
			if gi.ProvisionedThroughput == nil {
				return indexMeta{}, validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", gi.IndexName)
			}
			r, w, err := checkThroughput(gi.ProvisionedThroughput)
			if err != nil {
				return indexMeta{}, err
			}
			im.RCU, im.WCU = r, w
		} else if gi.ProvisionedThroughput != nil {
			return indexMeta{}, validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", gi.IndexName)
		}
	}
	return im, nil
}

// checkAttributeDefinitions requires AttributeDefinitions to define exactly
// the key attributes of the table and its indexes.
func checkAttributeDefinitions(m *tableMeta) error {
	defined := map[string]bool{}
	var defNames []string
	for _, a := range m.Attributes {
		if defined[a.AttributeName] {
			return validation("Cannot have two attributes with the same name. Attribute name: %s", a.AttributeName)
		}
		defined[a.AttributeName] = true
		defNames = append(defNames, a.AttributeName)
	}
	used := map[string]bool{}
	var usedNames []string
	use := func(ks []KeySchemaElement) {
		for _, k := range ks {
			if !used[k.AttributeName] {
				used[k.AttributeName] = true
				usedNames = append(usedNames, k.AttributeName)
			}
		}
	}
	use(m.KeySchema)
	for _, ix := range m.GSIs {
		use(ix.KeySchema)
	}
	for _, ix := range m.LSIs {
		use(ix.KeySchema)
	}
	var missing []string
	for _, n := range usedNames {
		if !defined[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		if len(m.GSIs)+len(m.LSIs) == 0 {
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(defNames, ", "))
		}
		return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(defNames, ", "))
	}
	if len(defNames) != len(usedNames) {
		if len(m.GSIs)+len(m.LSIs) == 0 {
			return validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
		return validation("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", strings.Join(defNames, ", "), strings.Join(usedNames, ", "))
	}
	return nil
}

func (s *Service) setStream(m *tableMeta, spec *StreamSpecification) error {
	if spec.StreamEnabled {
		switch spec.StreamViewType {
		case "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY":
		case "":
			return validation("One or more parameter values were invalid: You must specify a StreamViewType when enabling a stream")
		default:
			return validation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", spec.StreamViewType)
		}
		if m.Stream != nil && m.Stream.StreamEnabled {
			return validation("Table already has an enabled stream: TableName: %s", m.Name)
		}
		sp := *spec
		m.Stream = &sp
		m.StreamLabel = s.clk.Now().UTC().Format("2006-01-02T15:04:05.000")
		return nil
	}
	if spec.StreamViewType != "" {
		return validation("One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")
	}
	if m.Stream == nil || !m.Stream.StreamEnabled {
		return validation("Table has no stream to disable: TableName: %s", m.Name)
	}
	m.Stream = &StreamSpecification{StreamEnabled: false}
	return nil
}

// Description output shapes.

type tableDescOut struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

type tableOut struct {
	Table *tableDescription `json:"Table"`
}

type throughputDesc struct {
	NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
}

type indexDesc struct {
	IndexName             string             `json:"IndexName"`
	KeySchema             []KeySchemaElement `json:"KeySchema"`
	Projection            Projection         `json:"Projection"`
	IndexStatus           string             `json:"IndexStatus,omitempty"`
	Backfilling           *bool              `json:"Backfilling,omitempty"` // indexes added by UpdateTable only
	ProvisionedThroughput *throughputDesc    `json:"ProvisionedThroughput,omitempty"`
	IndexSizeBytes        int64              `json:"IndexSizeBytes"`
	ItemCount             int64              `json:"ItemCount"`
	IndexArn              string             `json:"IndexArn"`
}

type tableDescription struct {
	AttributeDefinitions      []AttributeDefinition `json:"AttributeDefinitions"`
	TableName                 string                `json:"TableName"`
	KeySchema                 []KeySchemaElement    `json:"KeySchema"`
	TableStatus               string                `json:"TableStatus"`
	CreationDateTime          float64               `json:"CreationDateTime"`
	ProvisionedThroughput     throughputDesc        `json:"ProvisionedThroughput"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ItemCount                 int64                 `json:"ItemCount"`
	TableArn                  string                `json:"TableArn"`
	TableID                   string                `json:"TableId"`
	BillingModeSummary        *billingSummary       `json:"BillingModeSummary,omitempty"`
	LocalSecondaryIndexes     []indexDesc           `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []indexDesc           `json:"GlobalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpecification  `json:"StreamSpecification,omitempty"`
	LatestStreamLabel         string                `json:"LatestStreamLabel,omitempty"`
	LatestStreamArn           string                `json:"LatestStreamArn,omitempty"`
	TableClassSummary         *tableClassSummary    `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

type billingSummary struct {
	BillingMode                       string  `json:"BillingMode"`
	LastUpdateToPayPerRequestDateTime float64 `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

type tableClassSummary struct {
	TableClass string `json:"TableClass"`
}

// stats are live item counts and sizes of a table and its indexes.
type stats struct {
	items, bytes int64
	index        map[string][2]int64
}

// tableStats counts items and bytes (DynamoDB updates these about every six
// hours; we report them live).
func (s *Service) tableStats(t *table) (*stats, error) {
	st := &stats{index: map[string][2]int64{}}
	err := s.st.View(func(tx store.Tx) error {
		items := tx.Bucket(t.bucket)
		items.Scan(nil, nil, false, func(k, v []byte) bool {
			st.items++
			st.bytes += int64(storedSize(v))
			return true
		})
		for _, ix := range t.indexes {
			var n, size int64
			tx.Bucket(ix.bucket).Scan(nil, nil, false, func(k, v []byte) bool {
				n++
				size += int64(storedSize(items.Get(v)))
				return true
			})
			st.index[ix.name] = [2]int64{n, size}
		}
		return nil
	})
	return st, err
}

// describe builds a TableDescription; st may be nil (counts are zero).
func (s *Service) describe(t *table, status string, st *stats) *tableDescription {
	m := &t.meta
	d := &tableDescription{
		AttributeDefinitions: m.Attributes, TableName: m.Name, KeySchema: m.KeySchema, TableStatus: status,
		CreationDateTime: m.Created, TableArn: t.arn, TableID: m.ID,
		ProvisionedThroughput:     throughputDesc{ReadCapacityUnits: m.RCU, WriteCapacityUnits: m.WCU},
		DeletionProtectionEnabled: m.DeletionProtection,
	}
	if st != nil {
		d.ItemCount, d.TableSizeBytes = st.items, st.bytes
	}
	if m.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &billingSummary{BillingMode: m.BillingMode, LastUpdateToPayPerRequestDateTime: m.Created}
		if m.PayPerRequestSince != 0 {
			d.BillingModeSummary.LastUpdateToPayPerRequestDateTime = m.PayPerRequestSince
		}
	} else if m.BillingSet {
		d.BillingModeSummary = &billingSummary{BillingMode: m.BillingMode}
	}
	if m.TableClass != "" {
		d.TableClassSummary = &tableClassSummary{TableClass: m.TableClass}
	}
	if m.Stream != nil {
		d.StreamSpecification = m.Stream
		d.LatestStreamLabel = m.StreamLabel
		d.LatestStreamArn = t.arn + "/stream/" + m.StreamLabel
	}
	for _, im := range m.GSIs {
		x := indexDesc{IndexName: im.Name, KeySchema: im.KeySchema, Projection: im.Projection, IndexStatus: "ACTIVE",
			ProvisionedThroughput: &throughputDesc{ReadCapacityUnits: im.RCU, WriteCapacityUnits: im.WCU},
			IndexArn:              t.arn + "/index/" + im.Name}
		if status == "DELETING" || status == "CREATING" {
			x.IndexStatus = status
		}
		if st != nil {
			c := st.index[im.Name]
			x.ItemCount, x.IndexSizeBytes = c[0], c[1]
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, x)
	}
	for _, im := range m.LSIs {
		x := indexDesc{IndexName: im.Name, KeySchema: im.KeySchema, Projection: im.Projection, IndexArn: t.arn + "/index/" + im.Name}
		if st != nil {
			c := st.index[im.Name]
			x.ItemCount, x.IndexSizeBytes = c[0], c[1]
		}
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, x)
	}
	return d
}

type tableNameInput struct {
	TableName string `json:"TableName"`
}

func (s *Service) describeTable(ctx context.Context, sc scope, body []byte) (*tableOut, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	t, err := s.lookup(sc, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(name)
	}
	st, err := s.tableStats(t)
	if err != nil {
		return nil, err
	}
	return &tableOut{Table: s.describe(t, "ACTIVE", st)}, nil
}

func (s *Service) deleteTable(ctx context.Context, sc scope, body []byte) (*tableDescOut, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	t, err := s.lookup(sc, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(name)
	}
	if t.meta.DeletionProtection {
		return nil, validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	st, err := s.tableStats(t)
	if err != nil {
		return nil, err
	}
	done := s.changingMeta()
	err = s.st.Update(func(tx store.Tx) error {
		m, err := getMeta(tx, sc, name)
		if err != nil {
			return err
		}
		if m == nil || m.ID != t.meta.ID {
			return errTableNotFound(name)
		}
		if err := tx.DeleteBucket(t.bucket); err != nil {
			return err
		}
		if err := tx.DeleteBucket(ttlBucketName(sc, t.meta)); err != nil {
			return err
		}
		for _, ix := range t.indexes {
			if err := tx.DeleteBucket(ix.bucket); err != nil {
				return err
			}
		}
		// The stream stays readable, DISABLED, for its 24 hours.
		if err := s.syncStream(tx, sc, m, nil); err != nil {
			return err
		}
		return tx.Bucket(metaBucket(sc)).Delete([]byte(name))
	})
	s.forget(sc, name)
	done()
	if err != nil {
		return nil, err
	}
	return &tableDescOut{TableDescription: s.describe(t, "DELETING", st)}, nil
}

type listTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

type listTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

func (s *Service) listTables(ctx context.Context, sc scope, body []byte) (*listTablesOutput, error) {
	var in listTablesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s", *in.Limit, map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 100"}[*in.Limit < 1])
		}
		limit = *in.Limit
	}
	out := &listTablesOutput{TableNames: []string{}}
	err := s.st.View(func(tx store.Tx) error {
		var from []byte
		if in.ExclusiveStartTableName != "" {
			from = append([]byte(in.ExclusiveStartTableName), 0)
		}
		tx.Bucket(metaBucket(sc)).Scan(from, nil, false, func(k, v []byte) bool {
			if len(out.TableNames) == limit {
				out.LastEvaluatedTableName = out.TableNames[limit-1]
				return false
			}
			out.TableNames = append(out.TableNames, string(k))
			return true
		})
		return nil
	})
	return out, err
}

type gsiUpdate struct {
	Create *gsiInput `json:"Create"`
	Update *struct {
		IndexName             string      `json:"IndexName"`
		ProvisionedThroughput *Throughput `json:"ProvisionedThroughput"`
	} `json:"Update"`
	Delete *struct {
		IndexName string `json:"IndexName"`
	} `json:"Delete"`
}

type updateTableInput struct {
	TableName                   string                `json:"TableName"`
	AttributeDefinitions        []AttributeDefinition `json:"AttributeDefinitions"`
	BillingMode                 string                `json:"BillingMode"`
	ProvisionedThroughput       *Throughput           `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexUpdates []gsiUpdate           `json:"GlobalSecondaryIndexUpdates"`
	StreamSpecification         *StreamSpecification  `json:"StreamSpecification"`
	TableClass                  string                `json:"TableClass"`
	DeletionProtectionEnabled   *bool                 `json:"DeletionProtectionEnabled"`
}

func (s *Service) updateTable(ctx context.Context, sc scope, body []byte) (*tableDescOut, error) {
	var in updateTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && len(in.GlobalSecondaryIndexUpdates) == 0 &&
		in.StreamSpecification == nil && in.TableClass == "" && in.DeletionProtectionEnabled == nil {
		return nil, validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	var t *table
	var created []string
	done := s.changingMeta()
	err := s.st.Update(func(tx store.Tx) error {
		m, err := getMeta(tx, sc, name)
		if err != nil {
			return err
		}
		if m == nil {
			return errTableNotFound(name)
		}
		old := s.newTable(sc, *m)
		if in.BillingMode != "" || in.ProvisionedThroughput != nil {
			mode := in.BillingMode
			if mode == "" {
				mode = m.BillingMode
			}
			wasPPR := m.BillingMode == "PAY_PER_REQUEST"
			if err := checkBilling(m, mode, in.ProvisionedThroughput); err != nil {
				return err
			}
			if mode == "PAY_PER_REQUEST" {
				m.RCU, m.WCU = 0, 0
				for i := range m.GSIs {
					m.GSIs[i].RCU, m.GSIs[i].WCU = 0, 0
				}
				if !wasPPR {
					m.PayPerRequestSince = s.now()
				}
			}
		}
		if in.TableClass != "" {
			m.TableClass = in.TableClass
		}
		if in.DeletionProtectionEnabled != nil {
			m.DeletionProtection = *in.DeletionProtectionEnabled
		}
		if in.StreamSpecification != nil {
			if err := s.setStream(m, in.StreamSpecification); err != nil {
				return err
			}
		}
		created = nil
		online := 0
		for _, u := range in.GlobalSecondaryIndexUpdates {
			switch {
			case u.Create != nil:
				online++
				if slices.ContainsFunc(m.GSIs, func(x indexMeta) bool { return x.Name == u.Create.IndexName }) ||
					slices.ContainsFunc(m.LSIs, func(x indexMeta) bool { return x.Name == u.Create.IndexName }) {
					return validation("One or more parameter values were invalid: Index already exists: %s", u.Create.IndexName)
				}
				im, err := s.checkIndex(*u.Create, m, true, map[string]bool{})
				if err != nil {
					return err
				}
				m.GSIs = append(m.GSIs, im)
				created = append(created, im.Name)
			case u.Delete != nil:
				online++
				i := slices.IndexFunc(m.GSIs, func(x indexMeta) bool { return x.Name == u.Delete.IndexName })
				if i < 0 {
					return edge.Errorf("ResourceNotFoundException", "Requested resource not found: Table: %s Index: %s not found", name, u.Delete.IndexName)
				}
				if err := tx.DeleteBucket(old.byName[u.Delete.IndexName].bucket); err != nil {
					return err
				}
				m.GSIs = slices.Delete(m.GSIs, i, i+1)
			case u.Update != nil:
				i := slices.IndexFunc(m.GSIs, func(x indexMeta) bool { return x.Name == u.Update.IndexName })
				if i < 0 {
					return edge.Errorf("ResourceNotFoundException", "Requested resource not found: Table: %s Index: %s not found", name, u.Update.IndexName)
				}
				if u.Update.ProvisionedThroughput != nil {
					r, w, err := checkThroughput(u.Update.ProvisionedThroughput)
					if err != nil {
						return err
					}
					m.GSIs[i].RCU, m.GSIs[i].WCU = r, w
				}
			}
		}
		if online > 1 {
			return edge.Errorf("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
		}
		if len(created) > 0 {
			// New index keys may need new attribute definitions.
			defs := map[string]string{}
			for _, a := range m.Attributes {
				defs[a.AttributeName] = a.AttributeType
			}
			for _, a := range in.AttributeDefinitions {
				if tp, ok := defs[a.AttributeName]; ok && tp != a.AttributeType {
					return validation("One or more parameter values were invalid: Attribute %s is already defined with type %s", a.AttributeName, tp)
				}
				if _, ok := defs[a.AttributeName]; !ok {
					m.Attributes = append(m.Attributes, a)
					defs[a.AttributeName] = a.AttributeType
				}
			}
			for _, n := range created {
				for _, im := range m.GSIs {
					if im.Name != n {
						continue
					}
					for _, k := range im.KeySchema {
						if _, ok := defs[k.AttributeName]; !ok {
							return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", k.AttributeName, attrNames(m.Attributes))
						}
					}
				}
			}
		}
		if len(m.GSIs) > 20 {
			return edge.Errorf("LimitExceededException", "Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of 20")
		}
		if err := s.syncStream(tx, sc, &old.meta, m); err != nil {
			return err
		}
		if err := putMeta(tx, sc, m); err != nil {
			return err
		}
		t = s.newTable(sc, *m)
		for _, n := range created {
			if err := backfill(tx, t, t.byName[n]); err != nil {
				return err
			}
		}
		return nil
	})
	s.forget(sc, name)
	done()
	if err != nil {
		return nil, err
	}
	st, err := s.tableStats(t)
	if err != nil {
		return nil, err
	}
	// As with CreateTable, AWS answers with the change under way; the table
	// and its new indexes are ACTIVE by the next DescribeTable.
	d := s.describe(t, "UPDATING", st)
	for i := range d.GlobalSecondaryIndexes {
		if x := &d.GlobalSecondaryIndexes[i]; slices.Contains(created, x.IndexName) {
			x.IndexStatus, x.Backfilling = "CREATING", new(bool)
		}
	}
	return &tableDescOut{TableDescription: d}, nil
}

func attrNames(as []AttributeDefinition) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.AttributeName
	}
	return strings.Join(names, ", ")
}

// backfill builds a new index from the table's items.
func backfill(tx store.Tx, t *table, ix *index) error {
	type entry struct{ k, v []byte }
	var entries []entry
	var ferr error
	tx.Bucket(t.bucket).Scan(nil, nil, false, func(k, v []byte) bool {
		it, err := decodeStored(v)
		if err != nil {
			ferr = err
			return false
		}
		if ek, ok := ix.entryKey(it, k); ok {
			entries = append(entries, entry{ek, append([]byte(nil), k...)})
		}
		return true
	})
	if ferr != nil {
		return ferr
	}
	b := tx.Bucket(ix.bucket)
	for _, e := range entries {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// Tags.

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return validation("One or more parameter values were invalid: Too many tags")
	}
	for _, tg := range tags {
		if tg.Key == "" || len(tg.Key) > 128 {
			return validation("1 validation error detected: Value '%s' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1", tg.Key)
		}
		if len(tg.Value) > 256 {
			return validation("1 validation error detected: Value '%s' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", tg.Value)
		}
	}
	return nil
}

type tagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	Tags        []Tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
	NextToken   string   `json:"NextToken"`
}

// arnTable resolves a resource ARN in sc to a table name.
func arnTable(sc scope, arn string) (string, error) {
	prefix := "arn:aws:dynamodb:" + sc.region + ":" + sc.account + ":table/"
	if !strings.HasPrefix(arn, prefix) {
		if strings.HasPrefix(arn, "arn:aws:dynamodb:") {
			return "", errNotFound()
		}
		return "", validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(arn, prefix), "/")
	return name, nil
}

func (s *Service) modifyTags(sc scope, body []byte, fn func(m *tableMeta, in *tagResourceInput) error) error {
	var in tagResourceInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.ResourceArn == "" {
		return edge.MissingMember("resourceArn")
	}
	name, err := arnTable(sc, in.ResourceArn)
	if err != nil {
		return err
	}
	err = s.st.Update(func(tx store.Tx) error {
		m, err := getMeta(tx, sc, name)
		if err != nil {
			return err
		}
		if m == nil {
			return edge.Errorf("ResourceNotFoundException", "Requested resource not found: ResourcArn: %s not found", in.ResourceArn)
		}
		if err := fn(m, &in); err != nil {
			return err
		}
		return putMeta(tx, sc, m)
	})
	s.forget(sc, name)
	return err
}

func (s *Service) tagResource(ctx context.Context, sc scope, body []byte) (*struct{}, error) {
	err := s.modifyTags(sc, body, func(m *tableMeta, in *tagResourceInput) error {
		if in.Tags == nil {
			return edge.MissingMember("tags")
		}
		if err := checkTags(in.Tags); err != nil {
			return err
		}
		for _, tg := range in.Tags {
			i := slices.IndexFunc(m.Tags, func(x Tag) bool { return x.Key == tg.Key })
			if i >= 0 {
				m.Tags[i] = tg
			} else {
				m.Tags = append(m.Tags, tg)
			}
		}
		if len(m.Tags) > 50 {
			return validation("One or more parameter values were invalid: Too many tags")
		}
		return nil
	})
	return nil, err
}

func (s *Service) untagResource(ctx context.Context, sc scope, body []byte) (*struct{}, error) {
	err := s.modifyTags(sc, body, func(m *tableMeta, in *tagResourceInput) error {
		if in.TagKeys == nil {
			return edge.MissingMember("tagKeys")
		}
		m.Tags = slices.DeleteFunc(m.Tags, func(x Tag) bool { return slices.Contains(in.TagKeys, x.Key) })
		return nil
	})
	return nil, err
}

type listTagsOutput struct {
	Tags      []Tag  `json:"Tags"`
	NextToken string `json:"NextToken,omitempty"`
}

func (s *Service) listTagsOfResource(ctx context.Context, sc scope, body []byte) (*listTagsOutput, error) {
	var in tagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ResourceArn == "" {
		return nil, edge.MissingMember("resourceArn")
	}
	name, err := arnTable(sc, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t, err := s.lookup(sc, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, edge.Errorf("ResourceNotFoundException", "Requested resource not found: ResourcArn: %s not found", in.ResourceArn)
	}
	tags := slices.Clone(t.meta.Tags)
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	if tags == nil {
		tags = []Tag{}
	}
	return &listTagsOutput{Tags: tags}, nil
}

// Misc.

type endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

func (s *Service) describeEndpoints(ctx context.Context, sc scope, body []byte) (map[string][]endpoint, error) {
	return map[string][]endpoint{"Endpoints": {{Address: "dynamodb." + sc.region + ".amazonaws.com", CachePeriodInMinutes: 1440}}}, nil
}

func (s *Service) describeLimits(ctx context.Context, sc scope, body []byte) (map[string]int64, error) {
	return map[string]int64{
		"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
		"TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000,
	}, nil
}
