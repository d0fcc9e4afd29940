package dev.scanflux.examples.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --help} with the flags in groups under headings and the venues listed, without moving
 * the options into argument groups (each command keeps its plain fields). A flag no group names
 * is shown under "Other:", so a flag added later is never hidden.
 */
final class HelpSections {

  private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

  static {
    GROUPS.put("Venues:", List.of("--venue", "--live", "--stream", "--stream-url",
        "--sim-instruments", "--seed"));
    GROUPS.put("What to scan:", List.of("--symbols", "--priority", "--quote", "--exclude",
        "--min-volume", "--depth"));
    GROUPS.put("How fast:", List.of("--interval", "--priority-refresh", "--concurrency", "--rate",
        "--cycles"));
    GROUPS.put("Strategies:", List.of("--window", "--min-edge", "--min-change", "--signals"));
    GROUPS.put("Alerts:", List.of("--telegram-chat", "--telegram-api", "--webhook", "--cooldown",
        "--min-lifetime"));
    GROUPS.put("Output:", List.of("--record", "--record-max-size", "--replay", "--json-report",
        "--html-report", "--quiet", "--verbose"));
    GROUPS.put("Serving and publishing:", List.of("--port", "--bind", "--for", "--kafka",
        "--node", "--shard", "--topics", "--scans"));
  }

  private HelpSections() {}

  /** Installs the grouped option list and the venue list on {@code cli}'s usage help. */
  static void install(CommandLine cli) {
    cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
        HelpSections::render);
    String footer = String.join("", cli.getCommandSpec().usageMessage().footer());
    cli.getCommandSpec().usageMessage().footer(("%nVenues: " + String.join(", ",
        VenueCatalog.names()) + " (simulated unless --live or a BASE_URL; default: "
        + String.join(", ", VenueCatalog.DEFAULT) + ")" + footer).split("(?<=%n)(?=.)"));
  }

  private static String render(Help help) {
    List<OptionSpec> all = new ArrayList<>(help.commandSpec().options());
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
      List<OptionSpec> in = new ArrayList<>();
      for (String name : g.getValue()) {
        OptionSpec o = help.commandSpec().findOption(name);
        if (o != null && all.remove(o)) {
          in.add(o);
        }
      }
      section(b, help, g.getKey(), in);
    }
    section(b, help, "Other:", all);
    return b.toString();
  }

  private static void section(StringBuilder b, Help help, String heading, List<OptionSpec> in) {
    if (in.isEmpty()) {
      return;
    }
    Help.Layout layout = help.createDefaultLayout();
    for (OptionSpec o : in) {
      layout.addOption(o, help.createDefaultParamLabelRenderer());
    }
    b.append(String.format("%n%s%n", heading)).append(layout);
  }
}
