/**
 * A reader whose browser has no wallet at all: the paywall and the wallet page say so and where
 * to get one, instead of a wallet list whose MetaMask button does nothing.
 */
import { expect, test } from "@playwright/test";
import { ARTICLES, shot } from "../helpers/wallet-flow";

test("without a browser wallet, the paywall and /wallet say that none was found", async ({
  page,
}) => {
  await page.goto(ARTICLES.the402.path);
  await page.getByTestId("wallet-connect").click();
  await expect(page.getByTestId("paywall-error")).toContainText("No browser wallet was found", {
    timeout: 20_000,
  });
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await shot(page, "no-wallet-paywall");

  await page.goto("/wallet");
  await expect(page.getByTestId("no-wallet")).toBeVisible({ timeout: 20_000 });
  await expect(
    page.getByTestId("no-wallet").getByRole("link", { name: "MetaMask" }),
  ).toHaveAttribute("href", "https://metamask.io/download/");
});
