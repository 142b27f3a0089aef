"""Tables and maps for people: built once here, shown by the app, the notebook and reports."""

from __future__ import annotations

import hashlib

import pandas as pd
import pydeck as pdk

from planner.domain import Scenario

RISK_COLOURS = {"low": (46, 160, 67), "medium": (240, 170, 20), "high": (214, 39, 40)}


def category_colour(category: str) -> tuple[int, int, int]:
    """A stable, distinct-enough colour for a business category."""
    digest = hashlib.sha256(category.encode()).digest()
    return (60 + digest[0] % 180, 60 + digest[1] % 180, 60 + digest[2] % 180)


def businesses_frame(scenario: Scenario) -> pd.DataFrame:
    """One row per business with its checklist size, for tables and maps."""
    checklist = {c.category: len(c.item_ids) for c in scenario.checklists()}
    return pd.DataFrame(
        [
            {
                "id": b.id,
                "name": b.name,
                "category": b.category,
                "risk": b.risk.value,
                "address": b.address,
                "opening_hours": b.opening_hours.text,
                "items": checklist.get(b.category, 0),
                "lon": b.lon,
                "lat": b.lat,
            }
            for b in scenario.businesses
        ]
    )


def business_map(scenario: Scenario, *, colour_by: str = "category") -> pdk.Deck:
    """A pydeck map of businesses and offices that needs no tile server (no base map style)."""
    frame = businesses_frame(scenario)
    if colour_by == "risk":
        colours = frame["risk"].map(RISK_COLOURS)
    else:
        colours = frame["category"].map(category_colour)
    frame["colour"] = [list(c) for c in colours]
    offices = pd.DataFrame(
        [{"name": o.name, "lon": o.lon, "lat": o.lat} for o in scenario.settings.offices]
    )
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            frame,
            get_position=["lon", "lat"],
            get_fill_color="colour",
            get_radius=25,
            radius_min_pixels=3,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            offices,
            get_position=["lon", "lat"],
            get_fill_color=[20, 20, 20],
            get_radius=60,
            radius_min_pixels=7,
            pickable=True,
        ),
    ]
    view = pdk.ViewState(
        longitude=float(frame["lon"].mean()) if len(frame) else offices["lon"].mean(),
        latitude=float(frame["lat"].mean()) if len(frame) else offices["lat"].mean(),
        zoom=13,
    )
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_style=None,  # no tile server is needed to render
        tooltip={"text": "{name}\n{category} · risk {risk}\n{opening_hours}"},
    )
