import { describe, expect, it } from "vitest";
import { settingLabel, settingsToSend } from "./AddAccount";

const fields = {
  api_key: { required: true, secret: false, default: null },
  api_secret: { required: true, secret: true, default: null },
  timeout: { required: false, secret: false, default: 7.0 },
  market_hours: { required: false, secret: false, default: false },
};

describe("the add-account form", () => {
  it("sends what was given, trimmed, and leaves blanks to the plugin's defaults", () => {
    expect(settingsToSend(fields, { api_key: " k1 ", api_secret: "s3cret", timeout: "", market_hours: false }))
      .toEqual({ api_key: "k1", api_secret: "s3cret" });
    expect(settingsToSend(fields, { market_hours: true })).toEqual({ market_hours: true });
  });

  it("labels settings in words", () => {
    expect(settingLabel("api_secret")).toBe("Api secret");
  });
});
