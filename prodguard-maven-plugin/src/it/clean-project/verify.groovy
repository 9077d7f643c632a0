def log = new File(basedir, "build.log").text
assert log.contains("prodguard lint ok: 0 errors") : "lint did not pass"
assert log.contains("prodguard scan ok:") : "scan did not pass"
assert log.contains("prodguard contract-check ok:") : "contract-check did not pass"
for (name in ["lint.sarif", "scan.sarif"]) {
  def sarif = new File(basedir, "target/prodguard/" + name)
  assert sarif.isFile() : "no " + sarif
  def json = new groovy.json.JsonSlurper().parse(sarif)
  assert json.version == "2.1.0"
  assert json.runs[0].results.isEmpty() : name + " has results: " + json.runs[0].results
}
return true
