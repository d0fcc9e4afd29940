package dev.scanflux.examples.app;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses amounts such as {@code 250000}, {@code 1.5M}, {@code 500k}, {@code 2B}. */
final class Amounts implements ITypeConverter<Double> {

  private static final Pattern AMOUNT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmb]?)");

  @Override
  public Double convert(String value) {
    Matcher m = AMOUNT.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not an amount: use e.g. 250000, 500k, 1.5M or 2B");
    }
    double n = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "k" -> n * 1e3;
      case "m" -> n * 1e6;
      case "b" -> n * 1e9;
      default -> n;
    };
  }
}
