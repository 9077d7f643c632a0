package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractDiff;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.lint.ContractMarkdown;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard contract render|check|diff}: the human-readable contract and its history. */
@Command(
    name = "contract",
    mixinStandardHelpOptions = true,
    description = "Render, check and compare the mutation contract (G4).",
    subcommands = {
      ContractCommand.Render.class,
      ContractCommand.Check.class,
      ContractCommand.Diff.class
    })
public final class ContractCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options of every contract subcommand. */
  static final class Files0 {
    @Mixin CommonOptions common;

    @Option(
        names = "--contract",
        paramLabel = "FILE",
        description =
            "contract file (default: 'contract' in prodguard.yml, else ./prodguard-contract.yml)")
    Path contractFile;

    Path contractPath() {
      Optional<ProdguardConfig> config = LintCommand.optionalConfig(common);
      Path base = config.map(ProdguardConfig::baseDir).orElse(Path.of("").toAbsolutePath());
      return LintCommand.contractPath(contractFile, config, base).toAbsolutePath().normalize();
    }

    /**
     * The contract at {@link #contractPath()}, read strictly: a missing or unreadable one is a
     * configuration error naming the file (and the prodguard.yml that names it).
     */
    Contract load(Path file) {
      Optional<ProdguardConfig> config = LintCommand.optionalConfig(common);
      Path namedBy =
          contractFile == null && config.isPresent() && config.get().contractNamed()
              ? config.get().file()
              : null;
      return ContractLoader.parse(file, ContractLoader.read(file, namedBy));
    }

    static Path markdown(Path contract) {
      return contract.resolveSibling(ContractMarkdown.FILE);
    }
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description = "Write " + ContractMarkdown.FILE + " next to the contract.")
  static final class Render implements Callable<Integer> {
    @Mixin Files0 files;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path file = files.contractPath();
      Contract c = files.load(file);
      Path md = Files0.markdown(file);
      Files.writeString(
          md, ContractMarkdown.render(c, file.getFileName().toString()), StandardCharsets.UTF_8);
      spec.commandLine()
          .getOut()
          .println("wrote " + md + " (contract sha256 " + c.sha256() + "); commit it.");
      return Main.OK;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Exit 1 when " + ContractMarkdown.FILE + " is missing or out of date.")
  static final class Check implements Callable<Integer> {
    @Mixin Files0 files;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path file = files.contractPath();
      Contract c = files.load(file);
      Path md = Files0.markdown(file);
      String expected = ContractMarkdown.render(c, file.getFileName().toString());
      if (!Files.exists(md)) {
        throw new GuardRefusal(
            Guarantee.G4,
            ContractMarkdown.FILE + " is missing",
            "the human-readable contract must be committed next to " + file.getFileName(),
            "run 'prodguard contract render' and commit " + ContractMarkdown.FILE);
      }
      String actual = Files.readString(md, StandardCharsets.UTF_8);
      if (!actual.equals(expected)) {
        throw new GuardRefusal(
            Guarantee.G4,
            ContractMarkdown.FILE + " is out of date",
            "it does not match "
                + file.getFileName()
                + " (sha256 "
                + c.sha256()
                + "): reviewers would read a contract that is not the one enforced",
            "run 'prodguard contract render' and commit " + ContractMarkdown.FILE);
      }
      spec.commandLine()
          .getOut()
          .println(
              "ok: " + ContractMarkdown.FILE + " matches the contract (sha256 " + c.sha256() + ")");
      return Main.OK;
    }
  }

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = {
        "List what the working copy's contract loosens (and tightens) compared with git revision"
            + " REV, entry by entry.",
        "Exit 0 unless --fail-on-loosening is given and something was loosened."
      })
  static final class Diff implements Callable<Integer> {
    @Mixin Files0 files;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "REV", description = "git revision to compare with, e.g. origin/main")
    String rev;

    @Mixin FormatOption format;

    @Option(names = "--fail-on-loosening", description = "exit 1 when the contract is loosened")
    boolean failOnLoosening;

    @Override
    public Integer call() throws Exception {
      Path file = files.contractPath();
      Contract now = files.load(file);
      Path top = GitCli.topLevel(file.getParent());
      String rel = top.toRealPath().relativize(file.toRealPath()).toString().replace('\\', '/');
      GitCli.check(top, "rev-parse", "--verify", "--quiet", rev + "^{commit}");
      GitCli.Result old = GitCli.run(top, "show", rev + ":" + rel);
      Contract before;
      boolean existed = old.exit() == 0;
      if (existed) {
        before = ContractLoader.parse(Path.of(rev + ":" + rel), old.out());
      } else {
        // no contract at REV: the defaults applied then
        before = ContractLoader.parse(Path.of(rev + ":" + rel), "version: 1\n".getBytes());
      }
      List<ContractDiff.Change> changes = ContractDiff.between(before, now);
      boolean loosened =
          changes.stream().anyMatch(c -> c.direction() == ContractDiff.Direction.LOOSENED);
      PrintWriter out = spec.commandLine().getOut();
      if (format.json()) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("revision", rev);
        j.put("contract", rel);
        j.put("existed_at_revision", existed);
        j.put("sha256_before", existed ? before.sha256() : null);
        j.put("sha256_now", now.sha256());
        j.put("loosened", loosened);
        List<Object> list = new ArrayList<>();
        for (ContractDiff.Change c : changes) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("direction", c.direction().name().toLowerCase());
          m.put("section", c.section());
          m.put("subject", c.subject());
          m.put("description", c.description());
          list.add(m);
        }
        j.put("changes", list);
        out.println(Json.write(j));
      } else {
        if (!existed) {
          out.println("(no " + rel + " at " + rev + ": compared with the default contract)");
        }
        if (changes.isEmpty()) {
          out.println("no change to the contract's rules since " + rev);
        }
        for (ContractDiff.Change c : changes) {
          out.printf(
              "%-9s %-17s %-26s %s%n",
              c.direction().name().toLowerCase(), c.section(), c.subject(), c.description());
        }
        if (loosened) {
          out.println(
              "The contract is loosened since " + rev + ": it needs the contract owners' review.");
        }
      }
      return failOnLoosening && loosened ? Main.REFUSED : Main.OK;
    }
  }
}
