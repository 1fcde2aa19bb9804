"""The Leaflet/Folium pieces: offline assets, the ward base map, the choropleth."""
