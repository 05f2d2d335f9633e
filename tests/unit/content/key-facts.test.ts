/** The infobox facts of World Factbook profiles: short, cleaned values, and none made up. */
import { describe, expect, it } from "vitest";
import { keyFacts, type FactbookProfile } from "@/lib/content/factbook";
import { factbookArticles } from "@/prisma/seed-data";

/** A profile with only the facts given, each as `text` at its path ("Government/Capital/name"). */
function profile(facts: Record<string, string>): FactbookProfile {
  const root: FactbookProfile = {};
  for (const [path, text] of Object.entries(facts)) {
    const [section, ...rest] = path.split("/") as [string, ...string[]];
    let node = (root[section] ??= {});
    for (const step of rest) node = (node[step] ??= {}) as typeof node;
    node.text = text;
  }
  return root;
}

describe("keyFacts", () => {
  it("reads every fact, in reading order", () => {
    const facts = keyFacts(
      profile({
        "Government/Country name/conventional long form": "Republic of Examplia",
        "Government/Capital/name": "Exampleton",
        "Government/Capital/time difference": "UTC-3.5 (1.5 hours ahead of Washington, DC)",
        "Government/Government type": "parliamentary republic",
        "People and Society/Population": "1,234,567 (July 2015 est.)",
        "People and Society/Languages": "Examplish (official) 90%, other 10%",
        "Geography/Area/total": "12,345 sq km",
        "Economy/Exchange rates":
          "example dollars (EXD) per US dollar - ++ 1.5 (2014 est.) ++ 1.4 (2013 est.)",
        "Economy/GDP (purchasing power parity)":
          "$1.2 billion (2014 est.) ++ $1.1 billion (2013 est.)",
        "Communications/Internet country code": ".ex",
      }),
    );
    expect(Object.entries(facts)).toEqual([
      ["Official name", "Republic of Examplia"],
      ["Capital", "Exampleton"],
      ["Government", "Parliamentary republic"],
      ["Population", "1,234,567 (July 2015 est.)"],
      ["Area", "12,345 sq km"],
      ["Languages", "Examplish (official) 90%, other 10%"],
      ["Currency", "example dollars (EXD)"],
      ["GDP (PPP)", "$1.2 billion (2014 est.)"],
      ["Time zone", "UTC-3.5"],
      ["Internet domain", ".ex"],
    ]);
  });

  it.each([
    [
      "Government/Capital/name",
      "Amsterdam; note - The Hague is the seat of government",
      "Capital",
      "Amsterdam",
    ],
    [
      "Government/Capital/name",
      "La Paz (administrative capital); Sucre (constitutional capital)",
      "Capital",
      "La Paz (administrative capital); Sucre (constitutional capital)",
    ],
    [
      "Government/Government type",
      "republic; note - the constitution says more",
      "Government",
      "Republic",
    ],
    [
      "Communications/Internet country code",
      "metropolitan France - .fr; French Guiana - .gf",
      "Internet domain",
      ".fr",
    ],
    [
      "Government/Capital/time difference",
      "UTC (5 hours ahead of Washington, DC)",
      "Time zone",
      "UTC",
    ],
  ])("cleans %s %j", (path, text, label, expected) => {
    expect(keyFacts(profile({ [path]: text }))).toEqual({ [label]: expected });
  });

  it.each([
    [
      "Government/Government type",
      `territory contested by ${"many parties, ".repeat(10)}for decades`,
    ],
    ["Government/Capital/name", "none"],
    ["Government/Capital/name", "   "],
    ["Economy/Exchange rates", "the US dollar is used"],
    ["Government/Capital/time difference", "varies by island"],
    ["Communications/Internet country code", "none"],
  ])("leaves out %s %j", (path, text) => {
    expect(keyFacts(profile({ [path]: text }))).toEqual({});
  });

  it("gives France its facts, and every profile short values", () => {
    const articles = factbookArticles();
    const france = JSON.parse(articles.find((a) => a.slug === "france")!.infobox);
    expect(france).toMatchObject({
      "Official name": "French Republic",
      Capital: "Paris",
      Government: "Republic",
      Currency: "euros (EUR)",
      "Time zone": "UTC+1",
      "Internet domain": ".fr",
    });
    for (const a of articles) {
      const facts = JSON.parse(a.infobox) as Record<string, string>;
      for (const label of [
        "Official name",
        "Government",
        "Currency",
        "Time zone",
        "Internet domain",
      ]) {
        if (facts[label] !== undefined)
          expect(facts[label]!.length, `${a.slug} ${label}`).toBeLessThanOrEqual(80);
      }
      for (const value of Object.values(facts)) expect(value, a.slug).not.toMatch(/\+\+|^\s|\s$/);
    }
  });
});
