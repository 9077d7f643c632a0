def log = new File(basedir, "build.log").text
// the finding itself, at error level, with file and rule
assert log =~ /\[ERROR\] db\/migration\/V2__drop_legacy\.sql:1:1: error \[drop-table\]/ : "the finding is not in the log"
assert log.contains("prodguard lint FAILED (G4 frozen mutation contract): 1 error") : "no failure summary"
// the summary's fix is the failing rule's own (issue 15), not a generic list
assert log.contains("the one fix [drop-table]: Expand/contract: stop reading and writing the table") : "the summary does not give drop-table's fix"
assert log.contains("BUILD FAILURE")
def sarif = new File(basedir, "target/prodguard/lint.sarif")
assert sarif.isFile() : "no lint.sarif"
def json = new groovy.json.JsonSlurper().parse(sarif)
def results = json.runs[0].results
assert results.size() == 1 : "expected one result: " + results
assert results[0].ruleId == "drop-table"
assert results[0].level == "error"
assert results[0].locations[0].physicalLocation.artifactLocation.uri == "db/migration/V2__drop_legacy.sql"
return true
