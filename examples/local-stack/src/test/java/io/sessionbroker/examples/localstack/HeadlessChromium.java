package io.sessionbroker.examples.localstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and ChromeDriver ({@code apt-get install chromium chromium-driver}), headless,
 * driven by Selenium. Both paths are given explicitly, so Selenium Manager never runs and nothing
 * is downloaded; system properties {@code chromium.binary} and {@code chromedriver.path} override
 * them.
 */
final class HeadlessChromium {

  private static final String BINARY = System.getProperty("chromium.binary", "/usr/bin/chromium");
  private static final String DRIVER =
      System.getProperty("chromedriver.path", "/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** A new browser with a fresh profile in {@code userDataDir}. */
  static ChromeDriver start(Path userDataDir) {
    for (String program : new String[] {BINARY, DRIVER}) {
      if (!Files.isExecutable(Path.of(program))) {
        throw new IllegalStateException(
            program
                + " is missing: install Debian's chromium and chromium-driver"
                + " (apt-get install -y chromium chromium-driver; .ci/run does)");
      }
    }
    // Selenium's CDP version warnings are harmless here; keep the test output readable.
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + userDataDir.toAbsolutePath());
    return new ChromeDriver(service, options);
  }

  /** Saves what the browser shows as a PNG. */
  static Path screenshot(WebDriver driver, Path file) {
    try {
      Files.createDirectories(file.getParent());
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the screenshot " + file, e);
    }
  }
}
