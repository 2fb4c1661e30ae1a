package kb

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// bleve_NewIndexMapping isolates the one bleve constructor used by the
// analysis code, so that analysis.go reads as configuration only.
func bleve_NewIndexMapping() *mapping.IndexMappingImpl { return bleve.NewIndexMapping() } //nolint:revive
