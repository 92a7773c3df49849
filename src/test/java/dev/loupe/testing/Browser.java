package dev.loupe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its ChromeDriver ({@code ./loupe test} installs
 * both), for tests of pages as a person sees them. Register it as a JUnit extension
 * ({@code @RegisterExtension static final Browser browser = Browser.open();}) so that a failing
 * test leaves a screenshot, the page and its console under {@code target/browser-failures/}, and
 * the browser quits after the class's last test.
 */
public final class Browser implements AutoCloseable, AfterTestExecutionCallback, AfterAllCallback {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** A fresh browser with an empty profile and a 1280×900 window. */
    public static Browser open() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver"
                    + " (./loupe test installs them; or apt-get install chromium chromium-driver)");
        }
        Logger.getLogger("org.openqa.selenium").setLevel(Level.WARNING);
        try {
            Path profile = Files.createTempDirectory("loupe-chromium-");
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
            // The background-networking switches keep Chromium from calling Google's hosts,
            // which this machine's closed network refuses many times a second.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Chromium profile directory", e);
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void go(String url) {
        driver.get(url);
    }

    /** The element {@code css} selects, once it is visible. */
    public WebElement visible(String css) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until {@code css} selects an element whose text contains {@code text}. */
    public WebElement withText(String css, String text) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits for {@code condition} (a JavaScript expression) to be truthy in the page. */
    public void until(String condition) {
        new WebDriverWait(driver, WAIT).until(d -> Boolean.TRUE.equals(
                ((JavascriptExecutor) d).executeScript("return !!(" + condition + ")")));
    }

    public Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** The page's console messages so far (errors, failed requests, logs). */
    public List<String> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList();
    }

    public Path screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        if (context.getExecutionException().isEmpty()) return;
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        Path dir = Path.of("target", "browser-failures");
        screenshot(dir.resolve(name + ".png"));
        Files.writeString(dir.resolve(name + ".console.txt"), String.join("\n", console()) + "\n"
                + "url: " + driver.getCurrentUrl() + "\n");
        Files.writeString(dir.resolve(name + ".html"), driver.getPageSource());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}
