package accountmatch

// FindQuery is findQuery, for the plan tests.
var FindQuery = findQuery
