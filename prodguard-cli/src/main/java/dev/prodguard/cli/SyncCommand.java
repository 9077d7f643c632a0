package dev.prodguard.cli;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.RunContext;
import dev.prodguard.sync.Sync;
import dev.prodguard.sync.SyncPlan;
import dev.prodguard.sync.SyncRefusal;
import dev.prodguard.sync.SyncReport;
import dev.prodguard.sync.TableBackup;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code prodguard sync}: contract-governed reference-data promotion. */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = {
      "Promote reference data from one environment to another, under the contract's sync section.",
      "Dry run by default: prints the plan and writes nothing. --apply writes it (CI only for a"
          + " protected target) after a backup, in one transaction, recording every before-image;"
          + " --revert RUN puts them back."
    })
public final class SyncCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Option(names = "--from", paramLabel = "ENV", description = "environment to copy from")
  String from;

  @Option(names = "--to", paramLabel = "ENV", required = true, description = "environment to write")
  String to;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "a table of the contract's sync section (repeatable)")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--column",
      paramLabel = "TABLE.COLUMN",
      description = "carry only these contract columns of TABLE (repeatable; default: all)")
  List<String> columns = new ArrayList<>();

  @Option(names = "--apply", description = "write the plan (default: dry run)")
  boolean apply;

  @Option(
      names = "--revert",
      paramLabel = "RUN",
      description = "restore the rows an applied sync run changed in --to")
  String revert;

  @Option(
      names = "--show",
      paramLabel = "N",
      defaultValue = "" + Sync.DEFAULT_SAMPLE,
      description = "changed rows to show per table (default: ${DEFAULT-VALUE})")
  int show;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    Sync.Request request = revert == null ? request() : null;
    if (revert != null && (from != null || !tables.isEmpty() || !columns.isEmpty() || apply)) {
      throw new ParameterException(
          spec.commandLine(), "--revert RUN takes only --to ENV (it always writes)");
    }
    ProdguardConfig config = common.load();
    Contract contract =
        ContractLoader.forConfig(config)
            .orElseThrow(
                () ->
                    new ConfigException(
                        config.contract(),
                        0,
                        null,
                        "contract not found: prodguard sync writes only the tables the"
                            + " contract's sync section lists"));
    RunContext context = common.context();
    Sync sync = new Sync(config, contract, context, new TableBackup(context), Sync.Hooks.NONE);
    PrintWriter out = spec.commandLine().getOut();
    if (revert != null) {
      Sync.Applied a = sync.revert(revert, to);
      out.print(
          format.json()
              ? Json.write(SyncReport.revertJson(revert, to, a)) + "\n"
              : SyncReport.revertText(revert, to, a));
      out.flush();
      return Main.OK;
    }
    Sync.Result result;
    try {
      result = sync.run(request);
    } catch (SyncRefusal r) {
      // the plan that was refused is worth seeing; the refusal follows on stderr
      r.plan().ifPresent(p -> print(out, p, Optional.empty(), true));
      throw r;
    }
    print(out, result.plan(), result.applied(), false);
    return Main.OK;
  }

  private void print(
      PrintWriter out, SyncPlan plan, Optional<Sync.Applied> applied, boolean refused) {
    Map<String, Object> json = SyncReport.json(plan, applied);
    if (refused) {
      json.put("refused", true);
    }
    out.print(format.json() ? Json.write(json) + "\n" : SyncReport.text(plan, applied, refused));
    out.flush();
  }

  private Sync.Request request() {
    if (from == null) {
      throw new ParameterException(spec.commandLine(), "missing --from ENV");
    }
    if (tables.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "name at least one --table TABLE");
    }
    if (show < 0) {
      throw new ParameterException(spec.commandLine(), "--show takes a number >= 0");
    }
    List<String> lowerTables = tables.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    Map<String, List<String>> perTable = new LinkedHashMap<>();
    for (String c : columns) {
      int dot = c.lastIndexOf('.');
      if (dot <= 0 || dot == c.length() - 1) {
        throw new ParameterException(
            spec.commandLine(), "--column takes TABLE.COLUMN, e.g. services.price (got " + c + ")");
      }
      String table = c.substring(0, dot).toLowerCase(Locale.ROOT);
      if (!lowerTables.contains(table)) {
        throw new ParameterException(
            spec.commandLine(),
            "--column " + c + " names table '" + table + "', which no --table option names");
      }
      perTable.computeIfAbsent(table, k -> new ArrayList<>()).add(c.substring(dot + 1));
    }
    return new Sync.Request(from, to, lowerTables, perTable, apply, show);
  }
}
