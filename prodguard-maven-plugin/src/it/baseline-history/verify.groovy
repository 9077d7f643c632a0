def log = new File(basedir, "build.log").text
assert log.contains("BUILD SUCCESS")
assert !log.contains("drop-table") : "V2 is history under the contract's baseline"
def sarif = new File(basedir, "target/prodguard/lint.sarif")
assert sarif.isFile() : "no lint.sarif"
def json = new groovy.json.JsonSlurper().parse(sarif)
assert json.runs[0].results.size() == 0 : "expected no results: " + json.runs[0].results
return true
